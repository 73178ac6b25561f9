import { describe, expect, it } from "vitest";
import { reorderForLongContext, reorderedPosition } from "./reorder.js";

describe("reorderForLongContext (research-methods §12)", () => {
  it("places rank i at (i+1)/2 for odd i and (k+1) - i/2 for even i, for k = 1..7", () => {
    // Hand-written from the formula: best passages at both ends, the weakest in the middle.
    const expected: Record<number, number[]> = {
      1: [1],
      2: [1, 2],
      3: [1, 3, 2],
      4: [1, 3, 4, 2],
      5: [1, 3, 5, 4, 2],
      6: [1, 3, 5, 6, 4, 2],
      7: [1, 3, 5, 7, 6, 4, 2],
    };
    for (let k = 1; k <= 7; k++) {
      const ranked = Array.from({ length: k }, (_, i) => i + 1);
      expect(reorderForLongContext(ranked), `k=${k}`).toEqual(expected[k]);
      for (let i = 1; i <= k; i++) {
        const pos = i % 2 === 1 ? (i + 1) / 2 : k + 1 - i / 2;
        expect(reorderedPosition(i, k)).toBe(pos);
        expect((reorderForLongContext(ranked) as number[])[pos - 1]).toBe(i);
      }
    }
  });

  it("keeps the passage objects and handles an empty list", () => {
    const a = { id: "a" };
    const b = { id: "b" };
    const c = { id: "c" };
    expect(reorderForLongContext([a, b, c])).toEqual([a, c, b]);
    expect(reorderForLongContext([])).toEqual([]);
  });
});
