/**
 * Bounded top-k selection with a binary min-heap keyed by (score, trec_eval tie order), so that the
 * k best survive in O(n log k) and ties at the cut are settled the way trec_eval ranks them
 * (higher document id first), independent of insertion order.
 */
import { compareCodePoints } from "@ferret/datasets";
import type { SearchHit } from "./vector-index.js";

/** > 0 when a ranks before b. */
function better(a: SearchHit, b: SearchHit): number {
  return a.score !== b.score ? a.score - b.score : compareCodePoints(a.id, b.id);
}

export class TopK {
  private readonly heap: SearchHit[] = [];
  constructor(private readonly k: number) {}

  push(hit: SearchHit): void {
    const h = this.heap;
    if (h.length < this.k) {
      h.push(hit);
      this.up(h.length - 1);
    } else if (this.k > 0 && better(hit, h[0]!) > 0) {
      h[0] = hit;
      this.down(0);
    }
  }

  /** Minimum score a new hit must reach to enter (-Infinity until full; Infinity when k = 0). */
  get threshold(): number {
    if (this.k <= 0) return Infinity;
    return this.heap.length < this.k ? -Infinity : this.heap[0]!.score;
  }

  sorted(): SearchHit[] {
    return [...this.heap].sort((a, b) => better(b, a));
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (better(h[p]!, h[i]!) <= 0) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && better(h[m]!, h[l]!) > 0) m = l;
      if (r < h.length && better(h[m]!, h[r]!) > 0) m = r;
      if (m === i) return;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
}
