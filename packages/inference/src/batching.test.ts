import { describe, expect, it } from "vitest";
import { padBatch, planBatches } from "./batching.js";

describe("planBatches", () => {
  it("groups by length, longest first, within size and token limits", () => {
    const lengths = [5, 50, 7, 48, 6, 49];
    expect(planBatches(lengths, { maxBatchSize: 2, maxBatchTokens: 1000 })).toEqual([
      [1, 5],
      [3, 2],
      [4, 0],
    ]);
    // 50 + 49 padded to 50 = 100 tokens fits, a third (3 x 50) would not; then 48 + 7 -> 2 x 48 = 96
    // fits, 3 x 48 = 144 would not; 6 + 5 last
    expect(planBatches(lengths, { maxBatchSize: 10, maxBatchTokens: 100 })).toEqual([
      [1, 5],
      [3, 2],
      [4, 0],
    ]);
    // a single sequence longer than the token budget still gets its own batch
    expect(planBatches([300], { maxBatchSize: 4, maxBatchTokens: 100 })).toEqual([[0]]);
    expect(planBatches([], { maxBatchSize: 4, maxBatchTokens: 100 })).toEqual([]);
  });
});

describe("padBatch", () => {
  it("right-pads to the longest member with the pad id and a zero mask", () => {
    const encoded = [
      { ids: [2, 10, 3], typeIds: [0, 0, 0] },
      { ids: [2, 3], typeIds: [0, 1] },
    ];
    const b = padBatch(encoded, [1, 0], 0);
    expect(b.seqLength).toBe(3);
    expect([...b.inputIds]).toEqual([2n, 3n, 0n, 2n, 10n, 3n]);
    expect([...b.attentionMask]).toEqual([1n, 1n, 0n, 1n, 1n, 1n]);
    expect([...b.tokenTypeIds]).toEqual([0n, 1n, 0n, 0n, 0n, 0n]);
    expect(b.indices).toEqual([1, 0]);
  });
});
