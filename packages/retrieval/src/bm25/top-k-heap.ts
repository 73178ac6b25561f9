/**
 * Fixed-size min-heap of (score, doc) ordered as Lucene's HitQueue: a hit is better when its score
 * is higher, or equal with a lower tie key. The tie key is the doc itself (Lucene's index order) unless
 * `tieKeys` gives one per doc (Anserini's sort by document id: the rank of each doc's id). The root is
 * the worst kept hit, so a candidate enters only if it beats the root — with index order and docs
 * arriving in increasing order that means a strictly higher score, exactly TopScoreDocCollector's rule.
 */
export class TopKHeap {
  private readonly scores: Float64Array;
  private readonly docs: Int32Array;
  private readonly keys: Int32Array;
  size = 0;

  constructor(
    readonly capacity: number,
    private readonly tieKeys?: Int32Array,
  ) {
    this.scores = new Float64Array(capacity);
    this.docs = new Int32Array(capacity);
    this.keys = tieKeys ? new Int32Array(capacity) : this.docs;
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
    const key = this.tieKeys ? (this.tieKeys[doc] as number) : doc;
    if (this.size < this.capacity) {
      this.siftUp(this.size++, score, doc, key);
      return true;
    }
    const rootScore = this.scores[0] as number;
    if (score < rootScore || (score === rootScore && key > (this.keys[0] as number))) return false;
    this.siftDown(0, score, doc, key);
    return true;
  }

  /** Hits best first: score descending, tie key ascending. Empties the heap. */
  drain(): { docs: Int32Array; scores: Float32Array } {
    const n = this.size;
    const docs = new Int32Array(n);
    const scores = new Float32Array(n);
    for (let i = n - 1; i >= 0; i--) {
      docs[i] = this.docs[0] as number;
      scores[i] = this.scores[0] as number;
      const last = this.size - 1;
      const lastScore = this.scores[last] as number;
      const lastDoc = this.docs[last] as number;
      const lastKey = this.keys[last] as number;
      this.size--;
      if (this.size > 0) this.siftDown(0, lastScore, lastDoc, lastKey);
    }
    return { docs, scores };
  }

  /** a is worse than b (by score, then tie key). */
  private static worse(sa: number, ka: number, sb: number, kb: number): boolean {
    return sa < sb || (sa === sb && ka > kb);
  }

  private siftUp(i: number, score: number, doc: number, key: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = this.scores[parent] as number;
      const pk = this.keys[parent] as number;
      if (!TopKHeap.worse(score, key, ps, pk)) break;
      this.scores[i] = ps;
      this.docs[i] = this.docs[parent] as number;
      this.keys[i] = pk;
      i = parent;
    }
    this.scores[i] = score;
    this.docs[i] = doc;
    this.keys[i] = key;
  }

  private siftDown(i: number, score: number, doc: number, key: number): void {
    const n = this.size;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let cs = this.scores[child] as number;
      let ck = this.keys[child] as number;
      const right = child + 1;
      if (right < n) {
        const rs = this.scores[right] as number;
        const rk = this.keys[right] as number;
        if (TopKHeap.worse(rs, rk, cs, ck)) {
          child = right;
          cs = rs;
          ck = rk;
        }
      }
      if (!TopKHeap.worse(cs, ck, score, key)) break;
      this.scores[i] = cs;
      this.docs[i] = this.docs[child] as number;
      this.keys[i] = ck;
      i = child;
    }
    this.scores[i] = score;
    this.docs[i] = doc;
    this.keys[i] = key;
  }
}
