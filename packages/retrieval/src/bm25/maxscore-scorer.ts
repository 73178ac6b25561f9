import { BLOCK_SIZE } from "./posting-blocks.js";
import type { Clause } from "./clauses.js";
import { TopKHeap } from "./top-k-heap.js";

const f = Math.fround;

/** Documents scored together in one pass of the essential clauses (a window's inner slice). */
const INNER_WINDOW = 4096;
const NO_DOC = 0x7fffffff;

/**
 * Document-ordered top k with block-max MaxScore pruning (H. Turtle and J. Flood, "Query evaluation:
 * strategies and optimizations", IP&M 31(6), 1995, with per-block maxima as in S. Ding and T. Suel,
 * SIGIR 2011; the scheme of Lucene 9.12's MaxScoreBulkScorer). Hand-written: no JavaScript library
 * scores BM25 float for float as Lucene does, and exact equality with Lucene is this engine's contract.
 *
 * The documents are walked in windows, each ending where the current posting block of an essential
 * clause ends. In a window each clause's bound is the largest block maximum it has there. Clauses are
 * sorted by that bound, and the longest prefix whose bounds add up to no more than the k-th best
 * score θ is "non-essential": a document matching only those cannot enter the top k, so candidates
 * come from the essential clauses alone (accumulated term at a time over slices of the window), and
 * the non-essential ones are probed only while the running score plus their remaining bounds can
 * still enter. A window where every clause is non-essential is skipped without reading a posting.
 *
 * Exactness: a clause's score is monotone in float(freq · normInverse) (each float step rounds
 * monotonically), so a block bound computed from the block's largest product with the scorer's own
 * float steps is at least every score in the block. A document's score is its clause scores summed in
 * double and rounded to float once, as Lucene does; since a bound is summed in another order, it is
 * compared with θ less the worst-case rounding of an n-term double sum (`limit` below). In index order
 * (documents arrive in increasing order and ties keep the earlier one) a score that rounds to θ
 * cannot enter; with `tieKeys` (ties broken by a per-document key) a later document can enter with a
 * score equal to θ, so only a bound whose float is below θ prunes.
 * Results equal exhaustive scoring exactly (maxscore-scorer.test.ts).
 */
export function maxScoreTopK(
  clauses: readonly Clause[],
  k: number,
  tieKeys?: Int32Array,
): { docs: Int32Array; scores: Float32Array } {
  const all = clauses.filter((c) => c.docs.length > 0);
  const n = all.length;
  const heap = new TopKHeap(k, tieKeys);
  if (n === 0 || k === 0) return heap.drain();
  const ties = tieKeys !== undefined;
  // A document whose clause bounds add up (in double, in any order) to at most `limit` cannot enter:
  // its own double sum exceeds that by less than (n - 1) · 2^-53 of it, which `slack` covers many times
  // over (with the division's rounding), and a double at or below θ rounds to a float at or below θ
  // (in index order, where a later document equal to θ does not enter), one at or below the float
  // before θ to a float below it (with tie keys, where it may). -Infinity until the heap is full.
  const slack = 1 + (n + 8) * 2 ** -50;
  let limit = -Infinity;
  const setThreshold = (theta: number): void => {
    limit = (ties ? floatBefore(theta) : theta) / slack;
  };

  const docs = all.map((c) => c.docs);
  const freqs = all.map((c) => c.freqs);
  const norms = all.map((c) => c.norms);
  const caches = all.map((c) => c.cache);
  const weights = Float64Array.from(all, (c) => c.weight);
  const lastDocs = all.map((c) => c.blockLastDocs);
  const impacts = all.map((c) => c.blockImpacts);
  const pos = new Int32Array(n); // posting cursor
  const blk = new Int32Array(n); // block cursor: first block whose last doc >= the window's start
  const windowMax = new Float64Array(n); // bound of each clause in the current window
  const order = Int32Array.from(all.keys()); // clauses by window bound, ascending
  const prefix = new Float64Array(n); // prefix[j] = sum of windowMax over order[0..j]
  let firstEssential = 0;
  const acc = new Float64Array(INNER_WINDOW);
  const matched = new Int32Array(INNER_WINDOW >>> 5);

  let windowMin = 0;
  for (;;) {
    // The window ends with the current block of the essential clause whose block ends first (only the
    // essential ones: the others' blocks would make windows tiny and bounds recomputed constantly).
    let windowEnd = NO_DOC;
    let anyLeft = false;
    for (let j = 0; j < n; j++) {
      const i = order[j] as number;
      const last = lastDocs[i] as Int32Array;
      let b = blk[i] as number;
      while (b < last.length && (last[b] as number) < windowMin) b++;
      blk[i] = b;
      if (b === last.length) continue;
      anyLeft = true;
      if (j >= Math.min(firstEssential, n - 1) && (last[b] as number) + 1 < windowEnd)
        windowEnd = (last[b] as number) + 1;
    }
    if (!anyLeft) break;
    if (windowEnd === NO_DOC) {
      // Only clauses without documents from here on were essential: the window is the rest.
      for (let i = 0; i < n; i++) {
        const last = lastDocs[i] as Int32Array;
        if ((blk[i] as number) < last.length)
          windowEnd = Math.min(windowEnd, (last[blk[i] as number] as number) + 1);
      }
    }

    // Each clause's bound in [windowMin, windowEnd): its largest block maximum there.
    for (let i = 0; i < n; i++) {
      const last = lastDocs[i] as Int32Array;
      const list = docs[i] as Int32Array;
      let b = blk[i] as number;
      const p = pos[i] as number;
      if (b === last.length || (p < list.length && (list[p] as number) >= windowEnd)) {
        windowMax[i] = 0;
        continue;
      }
      const imp = impacts[i] as Float32Array;
      let x = imp[b] as number;
      for (b++; b < last.length && (list[b * BLOCK_SIZE] as number) < windowEnd; b++)
        if ((imp[b] as number) > x) x = imp[b] as number;
      const w = weights[i] as number;
      windowMax[i] = f(w - f(w / f(1 + x)));
    }
    // Insertion sort of the clauses by window bound (few clauses).
    for (let j = 1; j < n; j++) {
      const i = order[j] as number;
      const v = windowMax[i] as number;
      let at = j;
      while (at > 0 && (windowMax[order[at - 1] as number] as number) > v) {
        order[at] = order[at - 1] as number;
        at--;
      }
      order[at] = i;
    }
    let sum = 0;
    firstEssential = 0;
    while (firstEssential < n) {
      const next = sum + (windowMax[order[firstEssential] as number] as number);
      if (!(next <= limit)) break;
      sum = next;
      prefix[firstEssential++] = sum;
    }
    if (firstEssential === n) {
      windowMin = windowEnd;
      continue;
    }

    // Candidates from the essential clauses, a slice of the window at a time.
    for (let j = firstEssential; j < n; j++) {
      const i = order[j] as number;
      pos[i] = advance(docs[i] as Int32Array, pos[i] as number, windowMin);
    }
    let innerMin = windowMin;
    while (innerMin < windowEnd) {
      let first = NO_DOC;
      for (let j = firstEssential; j < n; j++) {
        const i = order[j] as number;
        const p = pos[i] as number;
        const list = docs[i] as Int32Array;
        if (p < list.length && (list[p] as number) < first) first = list[p] as number;
      }
      if (first >= windowEnd) break;
      innerMin = first;
      const innerEnd = Math.min(windowEnd, innerMin + INNER_WINDOW);
      for (let j = firstEssential; j < n; j++) {
        const i = order[j] as number;
        const list = docs[i] as Int32Array;
        const fr = freqs[i] as Int32Array;
        const nm = norms[i] as Uint8Array;
        const cache = caches[i] as Float32Array;
        const w = weights[i] as number;
        let p = pos[i] as number;
        for (; p < list.length; p++) {
          const d = list[p] as number;
          if (d >= innerEnd) break;
          const x = f((fr[p] as number) * (cache[nm[d] as number] as number));
          const s = f(w - f(w / f(1 + x)));
          const slot = d - innerMin;
          const word = slot >>> 5;
          const bit = 1 << (slot & 31);
          if (((matched[word] as number) & bit) === 0) {
            matched[word] = (matched[word] as number) | bit;
            acc[slot] = s;
          } else {
            acc[slot] = (acc[slot] as number) + s;
          }
        }
        pos[i] = p;
      }
      const words = (innerEnd - innerMin + 31) >>> 5;
      for (let wi = 0; wi < words; wi++) {
        let bits = matched[wi] as number;
        if (bits === 0) continue;
        matched[wi] = 0;
        while (bits !== 0) {
          const low = bits & -bits;
          bits ^= low;
          const slot = (wi << 5) + 31 - Math.clz32(low);
          const d = innerMin + slot;
          let score = acc[slot] as number;
          let competitive = true;
          for (let j = firstEssential - 1; j >= 0; j--) {
            if (score + (prefix[j] as number) <= limit) {
              competitive = false;
              break;
            }
            const i = order[j] as number;
            const list = docs[i] as Int32Array;
            let p = pos[i] as number;
            if (p < list.length && (list[p] as number) < d) {
              // Skip to the block holding d by the blocks' last documents, then search inside it.
              const last = lastDocs[i] as Int32Array;
              const b = advance(last, blk[i] as number, d);
              blk[i] = b;
              p = b === last.length ? list.length : advance(list, Math.max(p, b * BLOCK_SIZE), d);
              pos[i] = p;
            }
            if (p < list.length && list[p] === d) {
              const w = weights[i] as number;
              const x = f(
                ((freqs[i] as Int32Array)[p] as number) *
                  ((caches[i] as Float32Array)[(norms[i] as Uint8Array)[d] as number] as number),
              );
              score += f(w - f(w / f(1 + x)));
            }
          }
          if (competitive && heap.offer(f(score), d) && heap.full) setThreshold(heap.threshold);
        }
      }
      innerMin = innerEnd;
    }
    windowMin = windowEnd;
  }
  return heap.drain();
}

const floatBits = new Float32Array(1);
const intBits = new Int32Array(floatBits.buffer);

/** The largest float below the float x (x ≥ 0). */
function floatBefore(x: number): number {
  if (x === 0) return -(2 ** -149);
  floatBits[0] = x;
  intBits[0] = (intBits[0] as number) - 1;
  return floatBits[0] as number;
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
