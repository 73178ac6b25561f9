/**
 * Fixture parity: Ferret's tokenization, ONNX Runtime logits and sigmoid scores for the tiny cross-encoder
 * against PyTorch (fp32) and Python onnxruntime (int8), on the 160 (query, BM25 hit) pairs of the fixture
 * run, most of them truncated at maxLength 64.
 */
import { describe, expect, it } from "vitest";
import { CancelledError } from "@ferret/errors";
import { CrossEncoderScorer } from "./pair-scorer.js";
import { readReference, sigmoid, TINY_CE } from "../test-support/fixtures.js";

const reference = readReference();
const pairs = reference.pairs.map((p) => [p.query, p.passage] as const);

describe("CrossEncoderScorer on the tiny cross-encoder", () => {
  it("tokenizes pairs as Hugging Face does and matches PyTorch's logits and sigmoid scores within 1e-4", async () => {
    const scorer = await CrossEncoderScorer.load(TINY_CE, { intraOpNumThreads: 1, chunkPairs: 50 });
    expect(scorer.name).toBe("tiny-ce");
    const encoded = await scorer.model.tokenizer.encodePairs(pairs);
    expect(encoded.map((e) => e.ids)).toEqual(reference.pairs.map((p) => p.ids));
    // segment ids: 0 through the first [SEP] (id 3), 1 after it
    for (const e of encoded) {
      const sep = e.ids.indexOf(3);
      expect(e.typeIds.slice(0, sep + 1).every((t) => t === 0)).toBe(true);
      expect(e.typeIds.slice(sep + 1).every((t) => t === 1)).toBe(true);
    }
    const logits = await scorer.model.logits(pairs);
    const scores = await scorer.score(pairs);
    let maxLogitDiff = 0;
    let maxScoreDiff = 0;
    reference.pairs.forEach((p, i) => {
      maxLogitDiff = Math.max(maxLogitDiff, Math.abs(logits[i]![0]! - p.logit));
      maxScoreDiff = Math.max(maxScoreDiff, Math.abs(scores[i]! - sigmoid(p.logit)));
    });
    expect(maxLogitDiff).toBeLessThan(1e-4);
    expect(maxScoreDiff).toBeLessThan(1e-4);
    await scorer.close();
  });

  // Dynamic int8 quantization scales activations per input tensor, so a pair's int8 score depends on the
  // other rows of its batch (and their padding); the reference ran one pair at a time, so does this.
  it("runs the int8 variant like Python onnxruntime does, one pair per batch (within 1e-4)", async () => {
    const scorer = await CrossEncoderScorer.load(TINY_CE, {
      variant: "quantized",
      intraOpNumThreads: 1,
      maxBatchSize: 1,
    });
    const logits = await scorer.model.logits(pairs);
    const diffs = reference.pairs.map((p, i) => Math.abs(logits[i]![0]! - p.int8Logit));
    expect(Math.max(...diffs)).toBeLessThan(1e-4);
    // and int8 is a different model from fp32 (the reference's int8 logits differ from PyTorch's)
    expect(Math.max(...reference.pairs.map((p, i) => Math.abs(logits[i]![0]! - p.logit)))).toBeGreaterThan(
      1e-3,
    );
    await scorer.close();
  });

  it("stops between chunks when the signal aborts, after reporting progress", async () => {
    const scorer = await CrossEncoderScorer.load(TINY_CE, { intraOpNumThreads: 1, chunkPairs: 40 });
    const controller = new AbortController();
    const progress: number[] = [];
    await expect(
      scorer.score(pairs, {
        signal: controller.signal,
        onProgress: (done) => {
          progress.push(done);
          if (done >= 80) controller.abort(new CancelledError("client went away"));
        },
      }),
    ).rejects.toThrow("client went away");
    expect(progress).toEqual([40, 80]);
    await scorer.close();
  });
});
