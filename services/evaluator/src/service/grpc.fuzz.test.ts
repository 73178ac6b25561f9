/**
 * The evaluator's gRPC requests fuzzed through a real server (startEvaluator, embedded, loopback): every
 * field of Evaluate, Compare and Fuse requests gets random and boundary values (fixed seed;
 * FERRET_FUZZ_RUNS for more). Each call must be answered, or refused with a typed bad-request status,
 * within its deadline; the artifacts stored before the fuzz are byte-identical after it.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { fuzzTimeout } from "@ferret/errors/testing";
import { createClient, type ServiceClient } from "@ferret/grpc";
import { fuzzMethod, fuzzRawRequests } from "@ferret/grpc/testing";
import { EvaluatorService } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEvaluatorConfig } from "../config.js";
import { startEvaluator, type RunningEvaluator } from "./start-evaluator.js";

let dir: string;
let evaluator: RunningEvaluator;
let client: ServiceClient<typeof EvaluatorService>;
let storedBefore: string;

const RUN = "q1 Q0 d1 1 2.5 t\nq1 Q0 d2 2 1.5 t\nq2 Q0 d1 1 0.5 t\n";
const QRELS = "q1 0 d1 1\nq1 0 d3 2\nq2 0 d2 0\n";

async function digestOf(root: string): Promise<string> {
  const hash = createHash("sha256");
  for (const entry of (await readdir(root, { recursive: true, withFileTypes: true })).sort((a, b) =>
    join(a.parentPath, a.name).localeCompare(join(b.parentPath, b.name)),
  )) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    hash.update(path).update(await readFile(path));
  }
  return hash.digest("hex");
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-evaluator-fuzz-"));
  await mkdir(join(dir, "runs"));
  await writeFile(join(dir, "runs", "a.run"), RUN);
  await writeFile(join(dir, "runs", "a.qrels"), QRELS);
  evaluator = await startEvaluator(
    loadEvaluatorConfig({
      env: {
        FERRET_EVALUATOR_GRPC__HOST: "127.0.0.1",
        FERRET_EVALUATOR_GRPC__PORT: "0",
        FERRET_EVALUATOR_METRICS__HOST: "127.0.0.1",
        FERRET_EVALUATOR_METRICS__PORT: "0",
        FERRET_EVALUATOR_ARTIFACTS__DIR: dir,
        FERRET_EVALUATOR_ARTIFACTS__SOURCE: "files",
        FERRET_EVALUATOR_JOBS__ENABLED: "false",
        FERRET_LOG_LEVEL: "silent",
      },
    }),
  );
  client = createClient(EvaluatorService, `127.0.0.1:${evaluator.grpc.port}`, { retry: false });
  storedBefore = await digestOf(dir);
}, fuzzTimeout(60_000));

afterAll(async () => {
  client?.close();
  await evaluator?.stop();
  await rm(dir, { recursive: true, force: true });
});

const trecLine = fc.oneof(
  fc.constantFrom(
    ...RUN.split("\n"),
    ...QRELS.split("\n"),
    "q1 Q0 d1 1 NaN t",
    "q1 0 d1 x",
    "# c",
    "q1 Q0 d1 1 1e400 t",
  ),
  fc.string({ maxLength: 12 }),
);
const values = {
  trec_text: fc.array(trecLine, { maxLength: 6 }).map((lines) => lines.join("\n")),
  measures: fc.constantFrom(
    "map",
    "ndcg_cut.10",
    "ndcg@10",
    "P.5,10",
    "recall.0",
    "P.-1",
    "P.",
    "ndcg_cut.1e9",
    "bpref",
    "nope",
    "",
    "P.5,,10",
    "success.1",
    "recip_rank",
    "map_cut.99999999999",
    "Rprec",
    "iprec_at_recall.0.5",
  ),
  bucket: fc.constantFrom("runs", "", "..", "missing"),
  name: fc.constantFrom("a.run", "a.qrels", "../a.run", "/etc/passwd", "", "runs/a.run", "x"),
  method: fc.constantFrom("wsum", "combsum", "combmnz", "rrf", "", "bogus"),
  normalization: fc.constantFrom("none", "min-max", "max", "sum", "z-score", "rank", "", "bogus"),
};

describe("evaluator gRPC, fuzzed", () => {
  for (const [key, runs] of [
    ["evaluate", 150],
    ["compare", 60],
    ["fuse", 100],
  ] as const) {
    it(
      `${key}: every request is answered or refused with a typed bad-request status`,
      async () => {
        expect(
          await fuzzMethod(client, EvaluatorService, key, { values, runs, deadlineMs: 20_000 }),
        ).toBeGreaterThan(0);
      },
      fuzzTimeout(120_000),
    );
  }

  for (const [key, runs] of [
    ["evaluate", 60],
    ["compare", 40],
  ] as const) {
    it(
      `${key}: raw request bytes (random, or 64-bit values past 2^53) are answered or INVALID_ARGUMENT`,
      async () => {
        expect(
          await fuzzRawRequests(`127.0.0.1:${evaluator.grpc.port}`, EvaluatorService, key, { values, runs }),
        ).toBeGreaterThan(0);
      },
      fuzzTimeout(120_000),
    );
  }

  it("left the stored artifacts byte-identical and still serves", async () => {
    expect(await digestOf(dir)).toBe(storedBefore);
    const response = await client.evaluate({
      run: {
        source: {
          $case: "artifact",
          value: { bucket: "runs", name: "a.run", sha256: "", size: 0, mediaType: "" },
        },
      },
      qrels: { source: { $case: "trecText", value: QRELS } },
      measures: ["P.1"],
      options: undefined,
    });
    expect(response.means["P_1"]).toBe(0.5);
  });
});
