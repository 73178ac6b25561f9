import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ENGINE_DOUBLE_DIR } from "@ferret/trainer/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ferret } from "../test-support/ferret-process.js";

/**
 * Runs the BUILT cli: `ferret train` on SciFact's train split with BM25 negatives. The engine is the
 * trainer's engine test double (@ferret/trainer/testing: the engine's command line, progress lines and
 * exit codes, no training), run by the system python3, so this tests the command, not training.
 */
const SCIFACT = resolve(REPO_ROOT, "../shared/data/scifact");
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-train-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret train", () => {
  it("assembles the training set, runs the engine and copies the model to --out", async () => {
    const spec = join(tmp, "scifact.yaml");
    await writeFile(
      spec,
      [
        `corpus: ${SCIFACT}`,
        "queries: { split: train }",
        "positives: { human: {} }",
        "negatives: { bm25: { window: [4, 30], count: 1 } }",
        "model: base-model",
        "training: { hyperparameters: { batchSize: 32 } }",
      ].join("\n"),
    );
    const out = join(tmp, "model");
    const args = ["train", spec, "--out", out, "--python", "python3", "--engine-dir", ENGINE_DOUBLE_DIR];
    const r = await ferret([...args, "--work-dir", join(tmp, "work")]);
    expect(r.code).toBe(0);
    // Not a terminal: progress as a line every few seconds, the first one at once.
    expect(r.stderr).toMatch(/^training: step 1\/25, loss 1\.0000, 10\.0 samples\/s\n/);
    // 809 train queries in batches of 32: 25 steps (the double's arithmetic, as the engine's).
    expect(r.stdout).toBe(
      `trained 25 steps on 809 queries (919 positives, 809 negatives, 0 false negatives filtered) -> ${out}\n`,
    );
    const model = JSON.parse(await readFile(join(out, "ferret.json"), "utf8"));
    expect(model).toEqual({ trainedFrom: join(tmp, "base-model"), steps: 25 });
  }, 120_000);

  it("names the bad field of an invalid spec", async () => {
    const spec = join(tmp, "bad.yaml");
    await writeFile(
      spec,
      `corpus: ${SCIFACT}\nqueries: { split: train }\nnegatives: { bm25: { window: [4] } }\n`,
    );
    const r = await ferret(["train", spec, "--python", "python3", "--work-dir", join(tmp, "work-bad")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${spec}:3 (field "negatives.bm25.window")`);
  }, 60_000);
});
