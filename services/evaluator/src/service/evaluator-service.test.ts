/**
 * The Evaluator over real gRPC on loopback (startGrpcServer on port 0 + createClient). Expected values come
 * from the references, never from our own output: pytrec_eval / trec_eval per-query values
 * (fixtures/trec_eval), ranx.compare / scipy / statsmodels p-values (fixtures/service/compare-ranx.json.gz)
 * and ranx.fuse runs (packages/fusion/fixtures/ranx-fusion.json.gz).
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status as Status } from "@grpc/grpc-js";
import { FerretError } from "@ferret/errors";
import {
  createClient,
  isServiceError,
  startGrpcServer,
  type GrpcServer,
  type ServiceClient,
} from "@ferret/grpc";
import { EvaluatorService, SignificanceTest, type EvaluateRequest } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directoryArtifacts } from "./artifacts.js";
import { createEvaluatorService } from "./evaluator-service.js";
import type { EvaluatorMetrics } from "./service-metrics.js";
import {
  close,
  compareRanxFixture,
  ranxFusionFixture,
  runMessageOf,
  trecEvalExpected,
  trecEvalFixtureText,
  type TrecEvalExpected,
} from "./test-support/fixtures.js";

const MAX_MESSAGE = 64 * 1024 * 1024;
let server: GrpcServer;
let client: ServiceClient<typeof EvaluatorService>;
let artifactDir: string;
/** Outcome of every handler call, as the service's metrics hook sees it. */
const outcomes: { method: string; outcome: string }[] = [];

const recordingMetrics: EvaluatorMetrics = {
  async timeCall(method, call) {
    try {
      const result = await call();
      outcomes.push({ method, outcome: "OK" });
      return result;
    } catch (err) {
      outcomes.push({ method, outcome: err instanceof FerretError ? err.code : "INTERNAL" });
      throw err;
    }
  },
  startCall: () => () => undefined,
  jobFinished: () => undefined,
};

beforeAll(async () => {
  artifactDir = await mkdtemp(join(tmpdir(), "ferret-evaluator-grpc-"));
  await mkdir(join(artifactDir, "runs"));
  await writeFile(
    join(artifactDir, "runs", "scifact-missing.run"),
    trecEvalFixtureText("runs/scifact-missing.run.br"),
  );
  // The run of the deadline test: SciFact's TF-IDF run (300,000 lines) four times, the copies under other
  // query ids. Reading it alone outlasts that test's 40 ms deadline however fast the parser and machine are;
  // the run once was not enough on an idle machine after the parser got faster.
  const tfidf = trecEvalFixtureText("runs/scifact-tfidf.run.br");
  const copies = [1, 2, 3].map((i) => tfidf.replace(/^(\S+)/gm, `$1-copy${i}`));
  await writeFile(join(artifactDir, "runs", "scifact-tfidf-x4.run"), [tfidf, ...copies].join(""));
  await writeFile(join(artifactDir, "scifact.qrels"), trecEvalFixtureText("qrels/scifact-test.qrels"));
  await writeFile(join(artifactDir, "secret.txt"), "not for clients");
  server = await startGrpcServer({
    services: [
      createEvaluatorService({ artifacts: directoryArtifacts(join(artifactDir)), metrics: recordingMetrics }),
    ],
    host: "127.0.0.1",
    port: 0,
    serverOptions: {
      "grpc.max_receive_message_length": MAX_MESSAGE,
      "grpc.max_send_message_length": MAX_MESSAGE,
    },
  });
  client = createClient(EvaluatorService, `127.0.0.1:${server.port}`, {
    retry: false,
    deadlineMs: 60_000,
    channelOptions: {
      "grpc.max_receive_message_length": MAX_MESSAGE,
      "grpc.max_send_message_length": MAX_MESSAGE,
    },
  });
});

afterAll(async () => {
  client?.close();
  await server?.shutdown();
  await rm(artifactDir, { recursive: true, force: true });
});

/** The FerretError a call failed with and the gRPC status behind it. */
async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => expect.fail("call succeeded"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FerretError);
  const cause = (error as FerretError).cause;
  if (!isServiceError(cause)) return expect.fail("no ServiceError cause");
  return { error: error as FerretError, status: cause.code, message: cause.details };
}

/** Per-query values and means against the reference, to 1e-9; returns the mismatches. */
function mismatches(
  response: {
    means: Record<string, number>;
    perQuery: { queryId: string; values: Record<string, number> }[];
  },
  expected: TrecEvalExpected,
  means: Record<string, number | null>,
  measures: readonly string[],
): string[] {
  const bad: string[] = [];
  const ours = new Map(response.perQuery.map((q) => [q.queryId, q.values]));
  for (const [qid, values] of Object.entries(expected.perQuery)) {
    for (const m of measures) {
      const ref = values[m];
      if (ref === undefined) continue;
      if (!close(ours.get(qid)?.[m], ref)) bad.push(`${m} ${qid}: ${ours.get(qid)?.[m]} vs ${ref}`);
    }
  }
  for (const m of measures) {
    const ref = means[m];
    if (ref !== null && ref !== undefined && !close(response.means[m], ref))
      bad.push(`${m} all: ${response.means[m]} vs ${ref}`);
  }
  return bad;
}

describe("Evaluate", () => {
  it("equals pytrec_eval on a TREC-text run with graded qrels and -l 2 (every measure, every query)", async () => {
    const expected = trecEvalExpected("cranfield-tfidf.l2");
    const response = await client.evaluate({
      run: { source: { $case: "trecText", value: trecEvalFixtureText(expected.run) } },
      qrels: { source: { $case: "trecText", value: trecEvalFixtureText(expected.qrels) } },
      measures: expected.measures,
      options: { relevanceThreshold: 2, completeQueries: false },
    });
    expect(response.numQueries).toBe(Object.keys(expected.perQuery).length);
    expect(response.perQuery.map((q) => q.queryId).sort()).toEqual(Object.keys(expected.perQuery).sort());
    expect(Object.keys(response.means).sort()).toEqual([...expected.measures].sort());
    expect(mismatches(response, expected, expected.mean, expected.measures)).toEqual([]);
  });

  it("reads a run artifact and, with complete_queries, averages over every qrels query as trec_eval -c", async () => {
    const expected = trecEvalExpected("scifact-missing.l1");
    const measures = ["ndcg_cut_10", "map", "recip_rank", "recall_100", "P_5"];
    const request: EvaluateRequest = {
      run: {
        source: {
          $case: "artifact",
          value: { bucket: "runs", name: "scifact-missing.run", sha256: "", size: 0, mediaType: "" },
        },
      },
      qrels: {
        source: {
          $case: "artifact",
          value: { bucket: "", name: "scifact.qrels", sha256: "", size: 0, mediaType: "" },
        },
      },
      measures,
      options: { relevanceThreshold: 0, completeQueries: true },
    };
    const response = await client.evaluate(request);
    expect(response.numQueries).toBe(expected.qrelsQueries.length);
    expect(mismatches(response, expected, expected.meanComplete, measures)).toEqual([]);
    const partial = await client.evaluate({
      ...request,
      options: { relevanceThreshold: 0, completeQueries: false },
    });
    expect(partial.numQueries).toBe(Object.keys(expected.perQuery).length);
    expect(mismatches(partial, expected, expected.mean, measures)).toEqual([]);
  });

  it("takes an inline Run message and friendly measure names, keyed as trec_eval prints them", async () => {
    const expected = trecEvalExpected("scifact-short.l1");
    const runLines = trecEvalFixtureText(expected.run).trim().split("\n");
    const dict: Record<string, Record<string, number>> = {};
    for (const line of runLines) {
      const [qid, , doc, , score] = line.split(/\s+/) as [string, string, string, string, string];
      (dict[qid] ??= {})[doc] = Number(score);
    }
    const qrels = trecEvalFixtureText(expected.qrels)
      .trim()
      .split("\n")
      .map((line) => line.split(/\s+/))
      .map(([queryId, , docId, rel]) => ({
        queryId: queryId as string,
        docId: docId as string,
        relevance: Number(rel),
      }));
    const response = await client.evaluate({
      run: { source: { $case: "run", value: runMessageOf(dict) } },
      qrels: { source: { $case: "qrels", value: { qrels } } },
      measures: ["ndcg@10", "P@5", "recall@100", "map"],
      options: undefined,
    });
    const names = ["ndcg_cut_10", "P_5", "recall_100", "map"];
    expect(Object.keys(response.means).sort()).toEqual([...names].sort());
    expect(mismatches(response, expected, expected.mean, names)).toEqual([]);
  });

  it("stops at the call's deadline instead of finishing the evaluation", async () => {
    const before = outcomes.length;
    const { status } = await failure(
      client.evaluate(
        {
          run: {
            source: {
              $case: "artifact",
              value: { bucket: "runs", name: "scifact-tfidf-x4.run", sha256: "", size: 0, mediaType: "" },
            },
          },
          qrels: {
            source: {
              $case: "artifact",
              value: { bucket: "", name: "scifact.qrels", sha256: "", size: 0, mediaType: "" },
            },
          },
          measures: ["ndcg_cut.10", "map", "P.5,10,20,100"],
          options: undefined,
        },
        { deadlineMs: 40 },
      ),
    );
    expect(status).toBe(Status.DEADLINE_EXCEEDED);
    // The handler itself gave up with the deadline (TIMEOUT), rather than completing after the client left.
    await expect
      .poll(() => outcomes.slice(before).map((o) => o.outcome), { timeout: 30_000 })
      .toEqual(["TIMEOUT"]);
    await expect.poll(() => server.inFlightCalls).toBe(0);
  });
});

describe("Compare", () => {
  const fixture = compareRanxFixture();
  const request = (test: SignificanceTest, holm: boolean) => ({
    runs: fixture.systems.map((name) => ({
      name,
      run: { source: { $case: "run" as const, value: runMessageOf(fixture.runs[name] ?? {}) } },
    })),
    qrels: {
      source: {
        $case: "qrels" as const,
        value: {
          qrels: Object.entries(fixture.qrels).flatMap(([queryId, docs]) =>
            Object.entries(docs).map(([docId, relevance]) => ({ queryId, docId, relevance })),
          ),
        },
      },
    },
    measures: fixture.measures,
    test,
    alpha: 0,
    rounds: 0,
    seed: 0,
    holm,
    options: undefined,
  });
  /** ranx measure name -> the trec_eval-style name the response uses. */
  const names: Record<string, string> = {
    "ndcg@10": "ndcg_cut_10",
    "map@100": "map_cut_100",
    "recall@100": "recall_100",
    "mrr@10": "mrr_cut_10",
  };

  it("gives ranx's means and paired t-test p-values (ranx.compare = scipy ttest_rel), and the rendered table", async () => {
    const response = await client.compare(request(SignificanceTest.SIGNIFICANCE_TEST_PAIRED_T, false));
    expect(response.baseline).toBe("bm25");
    expect(response.cells).toHaveLength(fixture.systems.length * fixture.measures.length);
    for (const system of fixture.systems) {
      for (const m of fixture.measures) {
        const cell = response.cells.find((c) => c.system === system && c.measure === names[m]);
        expect(close(cell?.mean, fixture.means[system]?.[m] as number), `${system} ${m}`).toBe(true);
        if (system === "bm25") expect(cell?.pValue).toBeUndefined();
      }
    }
    for (const ref of fixture.student) {
      const cell = response.cells.find((c) => c.system === ref.treatment && c.measure === names[ref.measure]);
      expect(
        close(cell?.pValue, ref.pValue, 1e-8),
        `${ref.treatment} ${ref.measure}: ${cell?.pValue} vs ${ref.pValue}`,
      ).toBe(true);
      expect(cell?.significant).toBe(ref.pValue <= 0.05);
    }
    expect(response.table).toMatch(/^system\s+ndcg_cut_10\s+map_cut_100\s+recall_100\s+mrr_cut_10/);
    expect(response.table).toContain("bm25 (baseline)");
  });

  it("applies Holm's correction as statsmodels does when asked", async () => {
    const response = await client.compare(request(SignificanceTest.SIGNIFICANCE_TEST_PAIRED_T, true));
    for (const ref of fixture.student) {
      const cell = response.cells.find((c) => c.system === ref.treatment && c.measure === names[ref.measure]);
      expect(close(cell?.pValue, ref.holmPValue, 1e-8), `${ref.treatment} ${ref.measure}`).toBe(true);
      expect(cell?.significant).toBe(ref.holmPValue <= 0.05);
    }
  });

  it("gives Fisher randomization p-values within Monte-Carlo error of ranx's (200,000 permutations)", async () => {
    const response = await client.compare({
      ...request(SignificanceTest.SIGNIFICANCE_TEST_FISHER, false),
      rounds: 20_000,
      seed: 7,
    });
    for (const ref of fixture.fisher) {
      const cell = response.cells.find((c) => c.system === ref.treatment && c.measure === names[ref.measure]);
      const p = cell?.pValue as number;
      // Both are estimates (or ours exact): allow 5 standard errors of the two combined.
      const se = Math.sqrt((ref.pValue * (1 - ref.pValue)) / 20_000 + ref.standardError ** 2);
      expect(
        Math.abs(p - ref.pValue),
        `${ref.treatment} ${ref.measure}: ${p} vs ${ref.pValue}`,
      ).toBeLessThanOrEqual(5 * se + 1e-12);
    }
  });
});

describe("Fuse", () => {
  const fixture = ranxFusionFixture();
  const cases = fixture.fused.filter(
    (f) =>
      f.inputs === "bm25+char4" &&
      ((f.norm === "min-max" && f.method === "wsum") ||
        (f.norm === "zmuv" && f.method === "sum") ||
        (f.norm === "max" && f.method === "mnz") ||
        (f.norm === "min-max" && f.method === "rrf")),
  );
  const methodName = { wsum: "wsum", sum: "combsum", mnz: "combmnz", rrf: "rrf" } as const;

  it("covers the four fusion methods", () => {
    expect(cases.map((c) => c.method).sort()).toEqual(["mnz", "rrf", "sum", "wsum"]);
  });

  for (const entry of cases) {
    it(`equals ranx.fuse: ${entry.norm} + ${entry.method}`, async () => {
      const response = await client.fuse({
        runs: [
          { name: "bm25", run: { source: { $case: "run", value: runMessageOf(fixture.inputs.bm25) } } },
          { name: "char4", run: { source: { $case: "run", value: runMessageOf(fixture.inputs.char4) } } },
        ],
        method: methodName[entry.method],
        normalization: entry.norm === "zmuv" ? "z-score" : (entry.norm ?? "none"),
        weights: entry.params.weights ?? [],
        rrfK: entry.params.k ?? 0,
        depth: 0,
        name: "hybrid",
      });
      expect(response.run?.name).toBe("hybrid");
      const bad: string[] = [];
      const rankings = response.run?.rankings ?? [];
      expect(rankings.map((r) => r.queryId).sort()).toEqual(Object.keys(entry.run).sort());
      for (const ranking of rankings) {
        const expected = entry.run[ranking.queryId] ?? {};
        if (ranking.docs.length !== Object.keys(expected).length)
          bad.push(`${ranking.queryId}: ${ranking.docs.length} docs`);
        for (const doc of ranking.docs) {
          if (!close(doc.score, expected[doc.docId] as number))
            bad.push(`${ranking.queryId}/${doc.docId}: ${doc.score} vs ${expected[doc.docId]}`);
        }
        // Ranked as trec_eval ranks: scores non-increasing, ranks 1..n.
        ranking.docs.forEach((doc, i) => {
          if (doc.rank !== i + 1 || (i > 0 && doc.score > (ranking.docs[i - 1]?.score ?? Infinity)))
            bad.push(`${ranking.queryId}: order at ${i}`);
        });
      }
      expect(bad.slice(0, 10)).toEqual([]);
    });
  }

  it("takes α for two runs as one weight, and cuts each query at depth", async () => {
    const entry = fixture.fused.find(
      (f) => f.inputs === "bm25+char4" && f.norm === "min-max" && f.method === "wsum",
    );
    const response = await client.fuse({
      runs: [
        { name: "", run: { source: { $case: "run", value: runMessageOf(fixture.inputs.bm25) } } },
        { name: "", run: { source: { $case: "run", value: runMessageOf(fixture.inputs.char4) } } },
      ],
      method: "wsum",
      normalization: "min-max",
      weights: [0.3],
      rrfK: 0,
      depth: 5,
      name: "",
    });
    expect(response.run?.name).toBe("fused");
    for (const ranking of response.run?.rankings ?? []) {
      const expected = Object.entries(entry?.run[ranking.queryId] ?? {}).sort((a, b) => b[1] - a[1]);
      expect(ranking.docs.map((d) => d.docId)).toEqual(expected.slice(0, 5).map(([doc]) => doc));
    }
  });
});

describe("bad input is INVALID_ARGUMENT naming the source, line and field", () => {
  const qrels = { source: { $case: "trecText" as const, value: "q1 0 d1 1\nq1 0 d2 0\n" } };
  const evaluateText = (run: string, measures = ["map"]) =>
    client.evaluate({
      run: { source: { $case: "trecText", value: run } },
      qrels,
      measures,
      options: undefined,
    });

  it.each([
    [
      "a line with a missing column",
      "q1 Q0 d1 1 0.5 t\nq1 Q0 d2 2 0.4\n",
      "<request run>:2: expected 6 columns (qid Q0 docid rank score tag), found 5",
    ],
    [
      "a duplicate (qid, docid)",
      "q1 Q0 d1 1 0.5 t\nq1 Q0 d1 2 0.4 t\n",
      '<request run>:2 (field "docid"): duplicate document "d1" for query "q1"',
    ],
    ["a non-numeric score", "q1 Q0 d1 1 high t\n", '<request run>:1 (field "score"): not a number: "high"'],
  ])("%s", async (_what, run, message) => {
    const { status, message: details, error } = await failure(evaluateText(run));
    expect(status).toBe(Status.INVALID_ARGUMENT);
    expect(details).toBe(message);
    expect(error.code).toBe("INVALID_INPUT");
  });

  it("an unknown measure", async () => {
    const { status, message } = await failure(evaluateText("q1 Q0 d1 1 0.5 t\n", ["map", "ndgc@10"]));
    expect(status).toBe(Status.INVALID_ARGUMENT);
    expect(message).toMatch(/^measure "ndgc@10": unknown measure/);
  });

  it("malformed qrels text", async () => {
    const { status, message } = await failure(
      client.evaluate({
        run: { source: { $case: "trecText", value: "q1 Q0 d1 1 0.5 t\n" } },
        qrels: { source: { $case: "trecText", value: "q1 0 d1 1\nq1 0 d2 yes\n" } },
        measures: ["map"],
        options: undefined,
      }),
    );
    expect(status).toBe(Status.INVALID_ARGUMENT);
    expect(message).toBe('<request qrels>:2 (field "relevance"): not an integer: "yes"');
  });

  it("a non-finite score in an inline Run message", async () => {
    const run = runMessageOf({ q1: { d1: 1, d2: Number.NaN } });
    const { status, message } = await failure(
      client.evaluate({
        run: { source: { $case: "run", value: run } },
        qrels,
        measures: ["map"],
        options: undefined,
      }),
    );
    expect(status).toBe(Status.INVALID_ARGUMENT);
    expect(message).toBe('<request run> (field "rankings[0].docs[1].score"): not a finite number: NaN');
  });

  it("a malformed run of a Compare request names that run", async () => {
    const { status, message } = await failure(
      client.compare({
        runs: [
          { name: "base", run: { source: { $case: "trecText", value: "q1 Q0 d1 1 0.5 t\n" } } },
          { name: "new", run: { source: { $case: "trecText", value: "q1 Q0 d1 1 0,5 t\n" } } },
        ],
        qrels,
        measures: ["map"],
        test: SignificanceTest.SIGNIFICANCE_TEST_PAIRED_T,
        alpha: 0,
        rounds: 0,
        seed: 0,
        holm: false,
        options: undefined,
      }),
    );
    expect(status).toBe(Status.INVALID_ARGUMENT);
    expect(message).toBe('<request run "new">:1 (field "score"): not a number: "0,5"');
  });

  it("an artifact line error names the artifact, not a server path", async () => {
    await writeFile(join(artifactDir, "runs", "broken.run"), "q1 Q0 d1 1 0.5 t\nq1 Q0 d2 2 NaN t\n");
    const { status, message } = await failure(
      client.evaluate({
        run: {
          source: {
            $case: "artifact",
            value: { bucket: "runs", name: "broken.run", sha256: "", size: 0, mediaType: "" },
          },
        },
        qrels,
        measures: ["map"],
        options: undefined,
      }),
    );
    expect(status).toBe(Status.INVALID_ARGUMENT);
    expect(message).toBe('artifact runs/broken.run:2 (field "score"): not a number: "NaN"');
  });

  it("an unknown fusion method, and wsum without weights", async () => {
    const runs = [
      { name: "a", run: { source: { $case: "trecText" as const, value: "q1 Q0 d1 1 0.5 t\n" } } },
      { name: "b", run: { source: { $case: "trecText" as const, value: "q1 Q0 d2 1 0.5 t\n" } } },
    ];
    const base = { runs, normalization: "", weights: [], rrfK: 0, depth: 0, name: "" };
    const unknown = await failure(client.fuse({ ...base, method: "borda" }));
    expect(unknown.status).toBe(Status.INVALID_ARGUMENT);
    expect(unknown.message).toBe('unknown fusion method "borda" (one of wsum, combsum, combmnz, rrf)');
    const noWeights = await failure(client.fuse({ ...base, method: "wsum" }));
    expect(noWeights.status).toBe(Status.INVALID_ARGUMENT);
    expect(noWeights.message).toMatch(/^wsum needs weights/);
  });

  it("a missing artifact is NOT_FOUND; one outside the artifact directory or with a wrong sha256 is refused", async () => {
    const ref = (bucket: string, name: string, sha256 = "") => ({
      run: {
        source: { $case: "artifact" as const, value: { bucket, name, sha256, size: 0, mediaType: "" } },
      },
      qrels,
      measures: ["map"],
      options: undefined,
    });
    expect((await failure(client.evaluate(ref("runs", "nope.run")))).status).toBe(Status.NOT_FOUND);
    const escape = await failure(client.evaluate(ref("..", "etc/passwd")));
    expect(escape.status).toBe(Status.INVALID_ARGUMENT);
    expect(escape.message).toBe("artifact ../etc/passwd: outside the artifact directory");
    expect((await failure(client.evaluate(ref("runs", "scifact-missing.run", "0".repeat(64))))).status).toBe(
      Status.DATA_LOSS,
    );
  });
});
