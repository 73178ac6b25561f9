/**
 * `ferret score-job`, run as the BUILT cli: embedded (a score worker in the cli process) with the ranker's
 * tiny cross-encoder, whose scores must be PyTorch's (services/ranker/fixtures/reference.json); and with a
 * model whose model.onnx is missing, embedded and on NATS ($NATS_URL, default nats://127.0.0.1:4222, with
 * a score worker in this test process): the job fails, and the cli exits 1 naming the missing file
 * instead of waiting for good. NATS names carry the run id and are deleted afterwards.
 */
import { readFileSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus } from "@ferret/bus";
import { ModelCatalog, startScoreWorker } from "@ferret/ranker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ferret } from "../test-support/ferret-process.js";

const RANKER_FIXTURES = join(REPO_ROOT, "services", "ranker", "fixtures");
const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const MISSING =
  /^ferret: ranker\.score job "[^"]+" failed: .*broken-ce\/ferret\.json \(field "model"\): names model\.onnx, which is not in .*broken-ce\n$/;

interface PairReference {
  queryId: string;
  docId: string;
  query: string;
  passage: string;
  logit: number;
}

let tmp: string;
let modelsRoot: string;
let pairsFile: string;
let reference: PairReference[];

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-score-job-cli-"));
  modelsRoot = join(tmp, "models");
  await mkdir(join(modelsRoot, "broken-ce"), { recursive: true });
  await mkdir(join(modelsRoot, "tiny-ce"));
  for (const file of ["config.json", "ferret.json", "tokenizer.json", "model.onnx"]) {
    await copyFile(join(RANKER_FIXTURES, "tiny-ce", file), join(modelsRoot, "tiny-ce", file));
    if (file !== "model.onnx")
      await copyFile(join(RANKER_FIXTURES, "tiny-ce", file), join(modelsRoot, "broken-ce", file));
  }
  const all = (
    JSON.parse(readFileSync(join(RANKER_FIXTURES, "reference.json"), "utf8")) as { pairs: PairReference[] }
  ).pairs;
  reference = all.slice(0, 12);
  pairsFile = join(tmp, "pairs.tsv");
  await writeFile(
    pairsFile,
    reference.map((p) => `${p.queryId}\t${p.docId}\t${p.query}\t${p.passage}\n`).join(""),
  );
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret score-job", () => {
  it("scores pairs embedded and writes PyTorch's scores in input order", async () => {
    const out = join(tmp, "scores.tsv");
    const args = ["score-job", pairsFile, "--model", "tiny-ce", "--models", modelsRoot, "--out", out];
    const result = await ferret([...args, "--batch-size", "5", "--job-id", "cli-ok"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`scored 12 pairs in 3 batches (job cli-ok) -> ${out}\n`);
    const rows = (await readFile(out, "utf8"))
      .trimEnd()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(rows.map((r) => [r[0], r[1]])).toEqual(reference.map((p) => [p.queryId, p.docId]));
    rows.forEach((r, i) => {
      const sigmoid = 1 / (1 + Math.exp(-reference[i]!.logit));
      expect(Math.abs(Number(r[2]) - sigmoid)).toBeLessThan(1e-4);
    });
  }, 60_000);

  it("exits 1 naming the missing model file when the job fails embedded", async () => {
    const out = join(tmp, "never.tsv");
    const result = await ferret([
      "score-job",
      pairsFile,
      "--model",
      "broken-ce",
      "--models",
      modelsRoot,
      "--out",
      out,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(MISSING);
    await expect(readFile(out)).rejects.toMatchObject({ code: "ENOENT" });
  }, 60_000);

  it("exits 1 naming the missing model file when the cluster's job fails (NATS)", async () => {
    const prefix = `cli-ranker-${runId}`;
    const names = {
      queue: `${prefix}-score`,
      jobsBucket: `${prefix}-jobs`,
      batchesBucket: `${prefix}-batches`,
      resultsBucket: `${prefix}-results`,
    };
    const events = { stream: `FERRET_TEST_EVENTS_${runId}`, prefix: `ferret.test.${runId}` };
    const bus = await createBus({ kind: "nats", url, name: "score-job-cli-test", events });
    const models = new ModelCatalog({ root: modelsRoot });
    const worker = await startScoreWorker({ bus, scorers: (m, q) => models.scorer(m, q), names });
    try {
      const args = [
        "score-job",
        pairsFile,
        "--model",
        "broken-ce",
        "--nats-url",
        url,
        "--name-prefix",
        prefix,
      ];
      const result = await ferret([...args, "--out", join(tmp, "nats.tsv"), "--batch-size", "4"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(MISSING);
      expect(worker.stats().failed).toBe(1);
    } finally {
      await worker.stop({ graceMs: 1_000 });
      await (await bus.queue(names.queue)).destroy();
      for (const bucket of [names.jobsBucket, names.batchesBucket]) await (await bus.kv(bucket)).destroy();
      await (await bus.objects(names.resultsBucket)).destroy();
      await bus.close({ graceMs: 0 });
      await models.close();
    }
  }, 60_000);
});
