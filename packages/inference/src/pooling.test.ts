import { describe, expect, it } from "vitest";
import { scoreFromLogits } from "./activation.js";
import { l2NormalizeRows, pool } from "./pooling.js";

// batch 2, seq 3, dim 2; row 0 has 2 real tokens, row 1 has 3 (hand-computed expectations)
const hidden = new Float32Array([1, 2, 3, 4, 100, 100, 1, 1, 2, 2, 6, 9]);
const mask = new BigInt64Array([1n, 1n, 0n, 1n, 1n, 1n]);

describe("pool", () => {
  it("mean ignores padding", () => {
    expect([...pool(hidden, mask, 2, 3, 2, "mean")]).toEqual([2, 3, 3, 4]);
  });
  it("cls takes the first token, last-token the last unmasked one", () => {
    expect([...pool(hidden, mask, 2, 3, 2, "cls")]).toEqual([1, 2, 1, 1]);
    expect([...pool(hidden, mask, 2, 3, 2, "last-token")]).toEqual([3, 4, 6, 9]);
  });
  it("l2 normalizes rows (3-4-5 triangle) and leaves zero rows at zero", () => {
    expect([...l2NormalizeRows(new Float32Array([3, 4, 0, 0]), 2)]).toEqual([
      Math.fround(0.6),
      Math.fround(0.8),
      0,
      0,
    ]);
  });
});

describe("scoreFromLogits", () => {
  it("applies none / sigmoid / softmax-positive", () => {
    expect(scoreFromLogits([2], "none", 1)).toBe(2);
    expect(scoreFromLogits([0], "sigmoid", 1)).toBe(0.5);
    expect(scoreFromLogits([-800], "sigmoid", 1)).toBe(0);
    // softmax([0, ln 3])[1] = 3 / 4
    expect(scoreFromLogits([0, Math.log(3)], "softmax-positive", 1)).toBeCloseTo(0.75, 12);
    expect(scoreFromLogits([5, 1], "none", 1)).toBe(1);
  });
});
