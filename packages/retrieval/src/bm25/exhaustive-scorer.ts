import type { Clause } from "./clauses.js";
import { TopKHeap } from "./top-k-heap.js";

const f = Math.fround;

/**
 * Exhaustive term-at-a-time scoring: every posting of every clause is scored into a dense per-document
 * accumulator (double, as Lucene's BooleanScorer buckets), then each matched document's float score
 * competes for the top k. The reference the pruning scorer (maxscore-scorer.ts) is tested against.
 */
export class ExhaustiveScorer {
  private readonly acc: Float64Array;
  private readonly touched: Int32Array;
  private readonly stamp: Int32Array;
  private generation = 0;

  constructor(numDocs: number) {
    this.acc = new Float64Array(numDocs);
    this.touched = new Int32Array(numDocs);
    this.stamp = new Int32Array(numDocs);
  }

  topK(
    clauses: readonly Clause[],
    k: number,
    tieKeys?: Int32Array,
  ): { docs: Int32Array; scores: Float32Array } {
    const gen = ++this.generation;
    const { acc, touched, stamp } = this;
    let nTouched = 0;
    for (const c of clauses) {
      const { docs, freqs, norms, cache, weight } = c;
      for (let i = 0; i < docs.length; i++) {
        const d = docs[i] as number;
        const x = f((freqs[i] as number) * (cache[norms[d] as number] as number));
        const s = f(weight - f(weight / f(1 + x)));
        if (stamp[d] !== gen) {
          stamp[d] = gen;
          acc[d] = s;
          touched[nTouched++] = d;
        } else {
          acc[d] = (acc[d] as number) + s;
        }
      }
    }
    const heap = new TopKHeap(Math.min(k, nTouched), tieKeys);
    for (let i = 0; i < nTouched; i++) {
      const d = touched[i] as number;
      heap.offer(f(acc[d] as number), d);
    }
    return heap.drain();
  }
}
