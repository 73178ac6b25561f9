import type { Clause } from "./clauses.js";
import { TopKHeap } from "./top-k-heap.js";

const f = Math.fround;

/**
 * Document-at-a-time top-k with MaxScore pruning (H. Turtle and J. Flood, "Query evaluation:
 * strategies and optimizations", IP&M 31(6), 1995; the scheme of Lucene 9.9's MaxScoreBulkScorer).
 *
 * Clauses are sorted by their maximum score. Once the k-th best score θ is known, the longest
 * prefix of low-scoring clauses whose maxima add up to at most θ is "non-essential": a document
 * matching only those cannot beat θ, so candidates come from the essential clauses alone, and the
 * non-essential ones are probed (by galloping search) only while the running score plus their
 * remaining maxima can still exceed θ. Scores are accumulated in double and rounded to float once,
 * as Lucene does, so results equal exhaustive scoring exactly (maxscore-scorer.test.ts).
 *
 * With `tieKeys` (ties broken by a per-document key instead of index order) a later document can beat
 * θ with a score equal to it, so a bound prunes only when it rounds to a float strictly below θ.
 */
export function maxScoreTopK(
  clauses: readonly Clause[],
  k: number,
  tieKeys?: Int32Array,
): { docs: Int32Array; scores: Float32Array } {
  const order = [...clauses].filter((c) => c.docs.length > 0).sort((a, b) => a.maxScore - b.maxScore);
  const n = order.length;
  const heap = new TopKHeap(k, tieKeys);
  // Lucene order: a bound at or below θ prunes. Tie keys: only a bound whose float is below θ does.
  const ties = tieKeys !== undefined;
  if (n === 0 || k === 0) return heap.drain();

  // prefixMax[i] = sum of maxScore of order[0..i] (exact in double: few floats of similar magnitude).
  const prefixMax = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += (order[i] as Clause).maxScore;
    prefixMax[i] = sum;
  }
  const docs = order.map((c) => c.docs);
  const freqs = order.map((c) => c.freqs);
  const norms = order.map((c) => c.norms);
  const caches = order.map((c) => c.cache);
  const weights = order.map((c) => c.weight);
  const pos = new Int32Array(n);

  let threshold = -Infinity;
  let firstEssential = 0;

  for (;;) {
    // Next candidate: the smallest current doc among essential clauses.
    let d = 0x7fffffff;
    for (let i = firstEssential; i < n; i++) {
      const p = pos[i] as number;
      const list = docs[i] as Int32Array;
      if (p < list.length) {
        const doc = list[p] as number;
        if (doc < d) d = doc;
      }
    }
    if (d === 0x7fffffff) break;

    let score = 0;
    for (let i = firstEssential; i < n; i++) {
      const list = docs[i] as Int32Array;
      const p = pos[i] as number;
      if (p < list.length && list[p] === d) {
        const cache = caches[i] as Float32Array;
        const w = weights[i] as number;
        const x = f(
          ((freqs[i] as Int32Array)[p] as number) * (cache[(norms[i] as Uint8Array)[d] as number] as number),
        );
        score += f(w - f(w / f(1 + x)));
        pos[i] = p + 1;
      }
    }

    let competitive = true;
    for (let i = firstEssential - 1; i >= 0; i--) {
      const bound = score + (prefixMax[i] as number);
      if (ties ? f(bound) < threshold : bound <= threshold) {
        competitive = false;
        break;
      }
      const list = docs[i] as Int32Array;
      const p = advance(list, pos[i] as number, d);
      pos[i] = p;
      if (p < list.length && list[p] === d) {
        const cache = caches[i] as Float32Array;
        const w = weights[i] as number;
        const x = f(
          ((freqs[i] as Int32Array)[p] as number) * (cache[(norms[i] as Uint8Array)[d] as number] as number),
        );
        score += f(w - f(w / f(1 + x)));
      }
    }
    if (!competitive) continue;

    if (heap.offer(f(score), d) && heap.full) {
      threshold = heap.threshold;
      while (firstEssential < n) {
        const bound = prefixMax[firstEssential] as number;
        if (ties ? f(bound) >= threshold : bound > threshold) break;
        firstEssential++;
      }
      if (firstEssential === n) break;
    }
  }
  return heap.drain();
}

/** The first position at or after `from` whose doc is >= target (galloping, then binary search). */
function advance(list: Int32Array, from: number, target: number): number {
  const n = list.length;
  if (from >= n || (list[from] as number) >= target) return from;
  let step = 1;
  let lo = from;
  let hi = from + 1;
  while (hi < n && (list[hi] as number) < target) {
    lo = hi;
    step *= 2;
    hi = from + step;
  }
  if (hi > n) hi = n;
  // list[lo] < target, and hi === n or list[hi] >= target.
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < target) lo = mid;
    else hi = mid;
  }
  return hi;
}
