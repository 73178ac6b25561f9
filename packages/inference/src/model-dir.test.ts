import { rm, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { afterAll, describe, expect, it } from "vitest";
import { BiEncoder } from "./bi-encoder.js";
import { CrossEncoder } from "./cross-encoder.js";
import { loadModelDir } from "./model-dir.js";
import { BI_ENCODER_DIR, FIXTURES, variantDir } from "./test-support/fixtures.js";

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

async function broken(edit: (f: Record<string, unknown>) => Record<string, unknown>): Promise<string> {
  const dir = await variantDir("tiny-bert", edit);
  temps.push(dir);
  return dir;
}

async function rejection(p: Promise<unknown>): Promise<InputError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe("loadModelDir", () => {
  it("loads the fixture with defaults applied", async () => {
    const model = await loadModelDir(BI_ENCODER_DIR);
    expect(model.config).toMatchObject({
      kind: "bi-encoder",
      pooling: "mean",
      model: "model.onnx",
      output: "last_hidden_state",
    });
    expect(model.onnxPath).toBe(join(BI_ENCODER_DIR, "model.onnx"));
    expect((await loadModelDir(BI_ENCODER_DIR, "quantized")).onnxPath).toBe(
      join(BI_ENCODER_DIR, "model.int8.onnx"),
    );
  });

  it("names a missing tokenizer.json", async () => {
    const dir = await broken((f) => f);
    await unlink(join(dir, "tokenizer.json"));
    const err = await rejection(loadModelDir(dir));
    expect(err.file).toBe(join(dir, "tokenizer.json"));
    expect(err.message).toContain("tokenizer.json: missing");
  });

  it("names a bad ferret.json field", async () => {
    const dir = await broken((f) => ({ ...f, pooling: "max" }));
    const err = await rejection(loadModelDir(dir));
    expect(err.file).toBe(join(dir, "ferret.json"));
    expect(err.field).toBe("pooling");
    expect(err.message).toContain(`ferret.json (field "pooling")`);
  });

  it("names an unknown ferret.json field (a typo must not be ignored)", async () => {
    const dir = await broken((f) => ({ ...f, normalise: true }));
    const err = await rejection(loadModelDir(dir));
    expect(err.field).toBe("normalise");
    expect(err.message).toContain("normalize");
  });

  it("names a missing required field and a wrong type", async () => {
    const noMax = await broken(({ maxLength: _drop, ...f }) => f);
    const missing = await rejection(loadModelDir(noMax));
    expect(missing.field).toBe("maxLength");
    expect(missing.message).toContain("missing (required)");
    const badNorm = await broken((f) => ({ ...f, normalize: "yes" }));
    expect((await rejection(loadModelDir(badNorm))).field).toBe("normalize");
  });

  it("rejects a dimension that differs from config.json hidden_size", async () => {
    const dir = await broken((f) => ({ ...f, dimension: 384 }));
    const err = await rejection(loadModelDir(dir));
    expect(err.field).toBe("dimension");
    expect(err.message).toContain("hidden_size is 32");
  });

  it("rejects maxLength beyond the model's positions", async () => {
    const dir = await broken((f) => ({ ...f, maxLength: 512 }));
    expect((await rejection(loadModelDir(dir))).field).toBe("maxLength");
  });

  it("names the quantized file when it is absent or not configured", async () => {
    const missing = await broken((f) => ({ ...f, quantized: "model.q4.onnx" }));
    const err = await rejection(loadModelDir(missing, "quantized"));
    expect(err.field).toBe("quantized");
    expect(err.message).toContain("model.q4.onnx");
    const unset = await broken(({ quantized: _q, ...f }) => f);
    expect((await rejection(loadModelDir(unset, "quantized"))).field).toBe("quantized");
  });

  it("reports invalid JSON and a corrupt tokenizer.json with their file", async () => {
    const json = await broken((f) => f);
    await writeFile(join(json, "ferret.json"), "{ nope");
    expect((await rejection(loadModelDir(json))).message).toContain("ferret.json: not valid JSON");
    const tok = await broken((f) => f);
    await writeFile(join(tok, "tokenizer.json"), "{}");
    const err = await rejection(BiEncoder.load(tok));
    expect(err.file).toBe(join(tok, "tokenizer.json"));
  });

  it("refuses a model of the other kind", async () => {
    expect((await rejection(BiEncoder.load(join(FIXTURES, "tiny-bert-ce1")))).field).toBe("kind");
    expect((await rejection(CrossEncoder.load(BI_ENCODER_DIR))).field).toBe("kind");
  });

  it("names a missing directory", async () => {
    expect((await rejection(loadModelDir(join(FIXTURES, "no-such-model")))).message).toContain(
      "no-such-model",
    );
  });
});
