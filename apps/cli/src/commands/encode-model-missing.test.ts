/**
 * `ferret encode index` with a model directory whose model.onnx is missing (a real file-system failure),
 * run as the BUILT cli, embedded and with --nats-url ($NATS_URL, default nats://127.0.0.1:4222): the cli
 * loads the model before it plans a job, so it exits 1 at once with the error naming the missing file
 * and writes no index. (A shard worker of the cluster that cannot load the model fails the job instead:
 * services/encoder/src/service/model-missing.test.ts.)
 */
import { cpSync, rmSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ferret } from "../test-support/ferret-process.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
let dir: string;
let model: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encode-model-missing-"));
  model = join(dir, "tiny");
  cpSync(FIXTURE_MODELS.biEncoder, model, { recursive: true });
  rmSync(join(model, "model.onnx"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ferret encode index with the model file missing", () => {
  const missing = () =>
    `ferret: ${model}/ferret.json (field "model"): names model.onnx, which is not in ${model}\n`;

  it.each([
    { name: "embedded", extra: [] as string[] },
    { name: "with --nats-url", extra: ["--nats-url", url] },
  ])(
    "exits 1 naming the missing file ($name)",
    async ({ name, extra }) => {
      const out = join(dir, `index-${name.replace(/\W/g, "")}`);
      const result = await ferret(["encode", "index", model, "examples/mini", "--out", out, ...extra]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(missing());
      await expect(stat(out)).rejects.toMatchObject({ code: "ENOENT" });
    },
    60_000,
  );
});
