/**
 * One query's qrels indexed by docid bytes, so a columnar run (trec-run-columns in @ferret/datasets, whose
 * docids are byte ranges of the file) finds each document's label without decoding it to a string: an
 * open-addressing table keyed by the same FNV-1a hash the run carries, confirmed by comparing bytes.
 * Reused across queries (reset() per query); hand-written because a Map would need a string per run line.
 */
import { hashBytes } from "@ferret/datasets";

const encoder = new TextEncoder();

export class JudgmentIndex {
  private keys = new Uint8Array(256);
  private keyStart = new Int32Array(16);
  private keyEnd = new Int32Array(16);
  private hashes = new Int32Array(16);
  private labels = new Float64Array(16);
  private table = new Int32Array(32);
  private mask = 31;
  private size = 0;

  /** Indexes `judgments` (docid -> label), replacing the previous query's. */
  reset(judgments: ReadonlyMap<string, number>): void {
    const n = judgments.size;
    if (this.keyStart.length < n) {
      const c = grow(n);
      this.keyStart = new Int32Array(c);
      this.keyEnd = new Int32Array(c);
      this.hashes = new Int32Array(c);
      this.labels = new Float64Array(c);
    }
    let slots = 32;
    while (slots < 2 * n) slots *= 2;
    if (this.table.length < slots) this.table = new Int32Array(slots);
    this.table.fill(-1, 0, slots);
    this.mask = slots - 1;
    this.size = 0;
    let used = 0;
    judgments.forEach((label, docid) => {
      // UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (this.keys.length < used + 3 * docid.length) {
        const next = new Uint8Array(grow(used + 3 * docid.length));
        next.set(this.keys.subarray(0, used));
        this.keys = next;
      }
      const written = encoder.encodeInto(docid, this.keys.subarray(used)).written;
      const k = this.size++;
      this.keyStart[k] = used;
      this.keyEnd[k] = used + written;
      const h = hashBytes(this.keys, used, used + written);
      this.hashes[k] = h;
      this.labels[k] = label;
      used += written;
      let slot = h & this.mask;
      while ((this.table[slot] as number) >= 0) slot = (slot + 1) & this.mask;
      this.table[slot] = k;
    });
  }

  /** The label of the docid bytes[start, end) (whose hashBytes is `hash`), undefined when not judged. */
  lookup(bytes: Uint8Array, start: number, end: number, hash: number): number | undefined {
    let slot = hash & this.mask;
    for (;;) {
      const k = this.table[slot] as number;
      if (k < 0) return undefined;
      if (
        this.hashes[k] === hash &&
        sameBytes(bytes, start, end, this.keys, this.keyStart[k] as number, this.keyEnd[k] as number)
      )
        return this.labels[k];
      slot = (slot + 1) & this.mask;
    }
  }
}

/** Whether a[aStart, aEnd) and b[bStart, bEnd) hold the same bytes. */
function sameBytes(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): boolean {
  const n = aEnd - aStart;
  if (n !== bEnd - bStart) return false;
  for (let i = 0; i < n; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

function grow(n: number): number {
  let size = 16;
  while (size < n) size *= 2;
  return size;
}
