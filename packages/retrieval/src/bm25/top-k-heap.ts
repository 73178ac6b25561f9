/**
 * Fixed-size min-heap of (score, doc) ordered as Lucene's HitQueue: a hit is better when its score
 * is higher, or equal with a lower doc. The root is the worst kept hit, so a candidate enters only
 * if it beats the root — for docs arriving in increasing order that means a strictly higher score,
 * exactly TopScoreDocCollector's rule.
 */
export class TopKHeap {
  private readonly scores: Float64Array;
  private readonly docs: Int32Array;
  size = 0;

  constructor(readonly capacity: number) {
    this.scores = new Float64Array(capacity);
    this.docs = new Int32Array(capacity);
  }

  get full(): boolean {
    return this.size === this.capacity;
  }

  /** Score of the worst kept hit; -Infinity until full (any hit is competitive). */
  get threshold(): number {
    return this.size === this.capacity ? (this.scores[0] as number) : -Infinity;
  }

  /** Offers a hit; returns true if it was kept. */
  offer(score: number, doc: number): boolean {
    if (this.capacity === 0) return false;
    if (this.size < this.capacity) {
      this.siftUp(this.size++, score, doc);
      return true;
    }
    const rootScore = this.scores[0] as number;
    if (score < rootScore || (score === rootScore && doc > (this.docs[0] as number))) return false;
    this.siftDown(0, score, doc);
    return true;
  }

  /** Hits best first: score descending, doc ascending. Empties the heap. */
  drain(): { docs: Int32Array; scores: Float32Array } {
    const n = this.size;
    const docs = new Int32Array(n);
    const scores = new Float32Array(n);
    for (let i = n - 1; i >= 0; i--) {
      docs[i] = this.docs[0] as number;
      scores[i] = this.scores[0] as number;
      const lastScore = this.scores[this.size - 1] as number;
      const lastDoc = this.docs[this.size - 1] as number;
      this.size--;
      if (this.size > 0) this.siftDown(0, lastScore, lastDoc);
    }
    return { docs, scores };
  }

  /** a is worse than b. */
  private static worse(sa: number, da: number, sb: number, db: number): boolean {
    return sa < sb || (sa === sb && da > db);
  }

  private siftUp(i: number, score: number, doc: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = this.scores[parent] as number;
      const pd = this.docs[parent] as number;
      if (!TopKHeap.worse(score, doc, ps, pd)) break;
      this.scores[i] = ps;
      this.docs[i] = pd;
      i = parent;
    }
    this.scores[i] = score;
    this.docs[i] = doc;
  }

  private siftDown(i: number, score: number, doc: number): void {
    const n = this.size;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let cs = this.scores[child] as number;
      let cd = this.docs[child] as number;
      const right = child + 1;
      if (right < n) {
        const rs = this.scores[right] as number;
        const rd = this.docs[right] as number;
        if (TopKHeap.worse(rs, rd, cs, cd)) {
          child = right;
          cs = rs;
          cd = rd;
        }
      }
      if (!TopKHeap.worse(cs, cd, score, doc)) break;
      this.scores[i] = cs;
      this.docs[i] = cd;
      i = child;
    }
    this.scores[i] = score;
    this.docs[i] = doc;
  }
}
