/**
 * Parity with PyTorch: the tiny random BERT in fixtures/tiny-bert was run by transformers one text
 * at a time (no padding) in scripts/make-fixtures.py; Ferret runs the exported ONNX graph in
 * length-grouped, padded batches and must give the same vectors.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BiEncoder } from "./bi-encoder.js";
import {
  BI_ENCODER_DIR,
  FIXTURES,
  cosine,
  maxAbsDiff,
  readReference,
  variantDir,
} from "./test-support/fixtures.js";
import type { Reference } from "./test-support/fixtures.js";

let ref: Reference;
let encoder: BiEncoder;
const temps: string[] = [];

beforeAll(async () => {
  ref = await readReference();
  // small batches so that several padded, length-grouped batches are exercised
  encoder = await BiEncoder.load(BI_ENCODER_DIR, { maxBatchSize: 6, intraOpNumThreads: 1 });
});
afterAll(async () => {
  await encoder.close();
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

async function withPooling(edit: Record<string, unknown>): Promise<BiEncoder> {
  const dir = await variantDir("tiny-bert", (f) => ({ ...f, ...edit }));
  temps.push(dir);
  return BiEncoder.load(dir, { maxBatchSize: 4, intraOpNumThreads: 1 });
}

describe("BiEncoder (tiny BERT fixture)", () => {
  it("tokenizes to Hugging Face's ids, truncated to maxLength", async () => {
    const encoded = await encoder.tokenizer.encode(ref.texts.map((t) => t.text));
    expect(encoded.map((e) => e.ids)).toEqual(ref.texts.map((t) => t.ids));
    expect(Math.max(...encoded.map((e) => e.ids.length))).toBe(ref.maxLength);
  });

  it("mean pooling + normalize equals PyTorch (cosine >= 0.99999, unit norm)", async () => {
    const vectors = await encoder.embed(ref.texts.map((t) => t.text));
    vectors.forEach((v, i) => {
      expect(v.length).toBe(32);
      expect(cosine(v, ref.texts[i]!.mean), ref.texts[i]!.text).toBeGreaterThanOrEqual(0.99999);
      expect(maxAbsDiff(v, ref.texts[i]!.mean)).toBeLessThan(1e-4);
    });
  });

  it("CLS, last-token and unnormalized mean pooling equal PyTorch", async () => {
    const cases = [
      { edit: { pooling: "cls", normalize: false }, key: "cls" },
      { edit: { pooling: "last-token", normalize: false }, key: "lastToken" },
      { edit: { pooling: "mean", normalize: false }, key: "meanRaw" },
    ] as const;
    for (const { edit, key } of cases) {
      const enc = await withPooling(edit);
      const vectors = await enc.embed(ref.texts.map((t) => t.text));
      vectors.forEach((v, i) => {
        expect(cosine(v, ref.texts[i]![key]), `${key} ${ref.texts[i]!.text}`).toBeGreaterThanOrEqual(0.99999);
        expect(maxAbsDiff(v, ref.texts[i]![key])).toBeLessThan(1e-4);
      });
      await enc.close();
    }
  });

  it("prepends queryPrefix for queries only", async () => {
    const expected = ref.texts.find((t) => t.text === "query: what is the role of dna in cancer")!;
    const enc = await withPooling({ queryPrefix: "query: " });
    const [q] = await enc.embed(["what is the role of dna in cancer"], "query");
    const [d] = await enc.embed(["what is the role of dna in cancer"], "document");
    expect(cosine(q!, expected.mean)).toBeGreaterThanOrEqual(0.99999);
    expect(cosine(d!, expected.mean)).toBeLessThan(0.999);
    await enc.close();
  });

  it("the int8 model loads and stays close to fp32 (cosine >= 0.99)", async () => {
    const int8 = await BiEncoder.load(BI_ENCODER_DIR, { variant: "quantized", intraOpNumThreads: 1 });
    const texts = ref.texts.map((t) => t.text);
    const [a, b] = [await encoder.embed(texts), await int8.embed(texts)];
    const cosines = a.map((v, i) => cosine(v, b[i]!));
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.99);
    // quantization must actually change the numbers (it is a different graph)
    expect(Math.min(...cosines)).toBeLessThan(0.999999);
    await int8.close();
  });

  it("returns nothing for no texts", async () => {
    expect(await encoder.embed([])).toEqual([]);
  });
});

describe("position_ids", () => {
  it("are fed as cumsum(mask) - 1 when the graph declares them (position-probe fixture)", async () => {
    // the probe's hidden state at each position is its position id; last-token pooling must
    // therefore give (number of tokens - 1), the count coming from Hugging Face's ids
    const probe = await BiEncoder.load(join(FIXTURES, "position-probe"), {
      maxBatchSize: 5,
      intraOpNumThreads: 1,
    });
    const vectors = await probe.embed(ref.texts.map((t) => t.text));
    expect(vectors.map((v) => v[0])).toEqual(ref.texts.map((t) => t.ids.length - 1));
    await probe.close();
  });
});
