/**
 * `ferret eval-job`, run as the BUILT cli: embedded (an evaluation worker in the cli process) on the
 * Cranfield TF-IDF run, whose values must be trec_eval 10.0's lines (services/evaluator/fixtures/trec_eval/
 * expected); and with a run the evaluator cannot read (not TREC run lines), embedded and on NATS
 * ($NATS_URL, default nats://127.0.0.1:4222, with an evaluation worker in this test process): the job
 * fails, and the cli exits 1 with the error naming the run and its line instead of waiting for good.
 * NATS names carry the run id and are deleted afterwards.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync } from "node:zlib";
import { createBus } from "@ferret/bus";
import { startEvaluationWorker } from "@ferret/evaluator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ferret } from "../test-support/ferret-process.js";

const TREC_EVAL = join(REPO_ROOT, "services/evaluator/fixtures/trec_eval");
const QRELS = join(TREC_EVAL, "qrels/cranfield-graded.qrels");
const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const fixture = (relative: string): Buffer => {
  const bytes = readFileSync(join(TREC_EVAL, relative));
  return relative.endsWith(".br") ? brotliDecompressSync(bytes) : bytes;
};

/** The evaluator's parse error for line 1 of the unreadable run, named after its stored artifact. */
const UNREADABLE =
  /^ferret: evaluate job "[^"]+" failed: artifact [A-Za-z0-9_-]+-inputs\/[^/]+\/broken\.run:1: expected 6 columns \(qid Q0 docid rank score tag\), found 5\n$/;

let tmp: string;
let goodRun: string;
let badRun: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-eval-job-cli-"));
  goodRun = join(tmp, "cranfield-tfidf.run");
  await writeFile(goodRun, fixture("runs/cranfield-tfidf.run.br"));
  badRun = join(tmp, "broken.run");
  await writeFile(badRun, '{"qid": "1", "docs": ["d1", "d2"]}\n');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret eval-job", () => {
  it("evaluates a run embedded and prints trec_eval's lines", async () => {
    const measures = ["map", "P_5", "ndcg_cut_10"];
    const args = ["eval-job", goodRun, "--qrels", QRELS, "-m", "map", "-m", "P.5", "-m", "ndcg_cut.10"];
    const result = await ferret(args);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const expected = fixture("expected/cranfield-tfidf.plain.txt.br")
      .toString("utf8")
      .split("\n")
      .filter((line) => measures.includes(line.split(/\s+/)[0] as string) && line.split("\t")[1] === "all");
    expect(result.stdout.trimEnd().split("\n").sort()).toEqual(expected.sort());
  }, 60_000);

  it("exits 1 naming the run and line the evaluator could not read (embedded)", async () => {
    const result = await ferret(["eval-job", badRun, "--qrels", QRELS, "-m", "map"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(UNREADABLE);
    expect(result.stdout).toBe("");
  }, 60_000);

  it("exits 1 naming the run and line the cluster's evaluator could not read (NATS)", async () => {
    const prefix = `cli-evaluator-${runId}`;
    const names = { queue: prefix, jobsBucket: `${prefix}-jobs`, resultsBucket: `${prefix}-results` };
    const events = { stream: `FERRET_TEST_EVENTS_${runId}`, prefix: `ferret.test.${runId}` };
    const bus = await createBus({ kind: "nats", url, name: "eval-job-cli-test", events });
    const worker = await startEvaluationWorker({ bus, ...names });
    try {
      const args = ["eval-job", badRun, "--qrels", QRELS, "--nats-url", url, "--name-prefix", prefix];
      const result = await ferret(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(UNREADABLE);
      expect(worker.stats().failed).toBe(1);
    } finally {
      await worker.stop({ graceMs: 1_000 });
      await (await bus.queue(names.queue)).destroy();
      await (await bus.kv(names.jobsBucket)).destroy();
      for (const bucket of [names.resultsBucket, `${prefix}-inputs`])
        await (await bus.objects(bucket)).destroy();
      await bus.close({ graceMs: 0 });
    }
  }, 60_000);
});
