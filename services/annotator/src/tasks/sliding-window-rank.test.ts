import { describe, expect, it } from "vitest";
import { slidingWindowTopK } from "./sliding-window-rank.js";

/** A deterministic permutation of 0..n-1 from a seed (LCG), as hidden scores. */
function permutation(n: number, seed: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const byScore = async (window: number[]) => ({
  ok: true as const,
  order: window
    .map((s, i) => ({ s, i }))
    .sort((a, b) => b.s - a.s)
    .map((x) => x.i),
});

describe("RankGPT sliding windows", () => {
  it("puts the global top k first, in order, for any list length and k", async () => {
    for (const n of [1, 2, 15, 16, 17, 31, 40, 97]) {
      for (const keep of [1, 5, 8, 9, 17, 30]) {
        const scores = permutation(n, n * 100 + keep);
        const result = await slidingWindowTopK(scores, keep, byScore);
        if (!result.ok) throw new Error(result.error);
        const best = [...scores].sort((a, b) => b - a).slice(0, Math.min(keep, n));
        expect(result.ranked.slice(0, best.length)).toEqual(best);
        expect([...result.ranked].sort((a, b) => a - b)).toEqual([...scores].sort((a, b) => a - b));
      }
    }
  });

  it("a window left incomplete keeps the unranked passages after the ranked ones; a failure stops", async () => {
    const partial = await slidingWindowTopK([3, 1, 2], 1, async () => ({ ok: true, order: [2] }));
    expect(partial).toEqual({ ok: true, ranked: [2, 3, 1], windows: 1 });
    const failed = await slidingWindowTopK([3, 1, 2], 1, async () => ({ ok: false, error: "bad ids" }));
    expect(failed).toEqual({ ok: false, error: "bad ids" });
  });
});
