import { describe, expect, it } from "vitest";
import { aucOfScores } from "./auc.js";

const f = (xs: number[]) => Float64Array.from(xs);

describe("aucOfScores (U / (n+ n-), ties count one half)", () => {
  it("counts strictly higher positives and half of the ties", () => {
    // pos 3 beats 1 and 2 (2), ties 3 (0.5); pos 2 beats 1 (1), ties 2 (0.5); pos 0 beats none: 4 / 9.
    expect(aucOfScores(f([3, 2, 0]), f([1, 2, 3]))).toBe(4 / 9);
    expect(aucOfScores(f([5, 6]), f([1, 2]))).toBe(1);
    expect(aucOfScores(f([1]), f([1, 1]))).toBe(0.5);
    // -0 and +0 are the same score.
    expect(aucOfScores(f([0]), f([-0]))).toBe(0.5);
  });

  it("is undefined (NaN) without positives or without negatives", () => {
    expect(aucOfScores(f([]), f([1]))).toBeNaN();
    expect(aucOfScores(f([1]), f([]))).toBeNaN();
  });
});
