/**
 * Parity with PyTorch BertForSequenceClassification (1 and 2 labels): token ids, segment ids and
 * logits recorded by scripts/make-fixtures.py for (query, passage) pairs, some beyond maxLength.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CrossEncoder } from "./cross-encoder.js";
import { FIXTURES, readReference } from "./test-support/fixtures.js";

describe.each(["tiny-bert-ce1", "tiny-bert-ce2"])("CrossEncoder %s", (name) => {
  it("matches Hugging Face token/segment ids and PyTorch logits within 1e-4", async () => {
    const rows = (await readReference()).crossEncoders[name]!;
    const ce = await CrossEncoder.load(join(FIXTURES, name), { maxBatchSize: 3, intraOpNumThreads: 1 });
    const pairs = rows.map((r) => [r.query, r.passage] as const);
    const encoded = await ce.tokenizer.encodePairs(pairs);
    expect(encoded.map((e) => e.ids)).toEqual(rows.map((r) => r.ids));
    expect(encoded.map((e) => e.typeIds)).toEqual(rows.map((r) => r.typeIds));

    const logits = await ce.logits(pairs);
    const scores = await ce.score(pairs);
    rows.forEach((r, i) => {
      expect(logits[i]!.length).toBe(r.logits.length);
      r.logits.forEach((l, j) => expect(Math.abs(logits[i]![j]! - l)).toBeLessThan(1e-4));
      // ce1: sigmoid of the single logit; ce2: softmax probability of label 1 = 1 / (1 + e^(l0 - l1))
      const expected =
        r.logits.length === 1
          ? 1 / (1 + Math.exp(-r.logits[0]!))
          : 1 / (1 + Math.exp(r.logits[0]! - r.logits[1]!));
      expect(scores[i]).toBeCloseTo(expected, 5);
    });
    await ce.close();
  });
});
