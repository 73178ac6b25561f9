/**
 * `ferret run` with bad input, as the BUILT cli in a child process: a spec naming a missing dataset, a
 * missing split, a missing model, a directory that is not a model, or an LLM endpoint nothing listens on
 * fails before any work starts (no run directory is created), naming the spec's key and line.
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { freePort } from "@ferret/service/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { REPO_ROOT, ferret } from "../test-support/ferret-process.js";

// Each test starts the CLI once (loading every service's module); a loaded 2-core machine can take a minute.
vi.setConfig({ testTimeout: 180_000 });

const MINI = join(REPO_ROOT, "examples", "mini");
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-run-bad-"));
  await mkdir(join(tmp, "not-a-model"));
  await writeFile(join(tmp, "not-a-model", "config.json"), "{}\n");
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function runSpec(name: string, lines: string[]) {
  const file = join(tmp, `${name}.yaml`);
  const output = join(tmp, `${name}-run`);
  await writeFile(file, [...lines, `output: ${output}`, ""].join("\n"));
  const result = await ferret(["run", file, "--no-progress"], { timeoutMs: 170_000 });
  const created = await stat(output).then(
    () => true,
    () => false,
  );
  return { ...result, file, created };
}

const DENSE = `  dense: { model: ${FIXTURE_MODELS.biEncoder} }`;

describe("ferret run with bad input", () => {
  it("names a missing dataset directory", async () => {
    const r = await runSpec("no-dataset", [
      `dataset: { dir: ${join(tmp, "nowhere")}, test: test }`,
      "baselines:",
      "  bm25: {}",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${r.file}:1 (field "dataset.dir"): dataset directory ${join(tmp, "nowhere")}`,
    );
    expect(r.created).toBe(false);
  });

  it("names a missing split", async () => {
    const r = await runSpec("no-split", [
      `dataset: { dir: ${MINI}, dev: dev, test: test }`,
      "baselines:",
      "  bm25: {}",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${r.file}:1 (field "dataset.dev"): dev split file ${join(MINI, "qrels", "dev.tsv")}`,
    );
    expect(r.created).toBe(false);
  });

  it("names a missing model directory", async () => {
    const r = await runSpec("no-model", [
      `dataset: { dir: ${MINI}, test: test }`,
      "baselines:",
      `  dense: { model: ${join(tmp, "no-such-model")} }`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${r.file}:3 (field "baselines.dense.model"): model directory`);
    expect(r.created).toBe(false);
  });

  it("names a directory that is not a Ferret model", async () => {
    const r = await runSpec("not-a-model", [
      `dataset: { dir: ${MINI}, test: test }`,
      "baselines:",
      DENSE,
      `  rerank: { model: ${join(tmp, "not-a-model")} }`,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${r.file}:4 (field "baselines.rerank.model"): model directory ${join(tmp, "not-a-model")} has no ferret.json`,
    );
    expect(r.created).toBe(false);
  });

  it("names a model to train that has no safetensors weights", async () => {
    const r = await runSpec("onnx-only", [
      `dataset: { dir: ${MINI}, test: test }`,
      "stages:",
      "  annotate: { task: queries, llm: { gguf: /dev/null } }",
      "  train:",
      "    job:",
      `      model: ${FIXTURE_MODELS.biEncoder}`,
      "      negatives: { bm25: { window: [4, 30] } }",
      "baselines:",
      "  bm25: {}",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${r.file}:6 (field "stages.train.job.model"): model directory ${FIXTURE_MODELS.biEncoder} has no model.safetensors`,
    );
    expect(r.created).toBe(false);
  });

  it("names an LLM endpoint nothing listens on", async () => {
    const url = `http://127.0.0.1:${await freePort()}/v1`;
    const r = await runSpec("llm-down", [
      `dataset: { dir: ${MINI}, test: test }`,
      "stages:",
      "  annotate:",
      "    task: queries",
      `    llm: { baseUrl: "${url}", model: qwen }`,
      "baselines:",
      "  bm25: {}",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${r.file}:5 (field "stages.annotate.llm.baseUrl"): the LLM endpoint ${url} is unreachable (ECONNREFUSED)`,
    );
    expect(r.created).toBe(false);
  });
});
