import type { FieldIndex } from "./field-index.js";

const f = Math.fround;

/**
 * Fixed-size blocks over each term's postings (Lucene's 128-posting blocks), the unit of the
 * block-max bounds that let top-k search skip whole stretches of a posting list
 * (maxscore-scorer.ts). Block j of term t holds its postings [j · BLOCK_SIZE, (j + 1) · BLOCK_SIZE).
 */
export const BLOCK_SIZE = 128;

export interface PostingBlocks {
  /** The blocks of term t are [starts[t], starts[t + 1]) in `lastDocs` (and in each impacts array). */
  readonly starts: Uint32Array;
  /** Per block, the document of its last posting. */
  readonly lastDocs: Int32Array;
}

/** The block layout of a field (independent of the BM25 parameters). */
export function postingBlocks(field: FieldIndex): PostingBlocks {
  const numTerms = field.terms.length;
  const starts = new Uint32Array(numTerms + 1);
  for (let t = 0; t < numTerms; t++) {
    const df = (field.starts[t + 1] as number) - (field.starts[t] as number);
    starts[t + 1] = (starts[t] as number) + Math.ceil(df / BLOCK_SIZE);
  }
  const lastDocs = new Int32Array(starts[numTerms] as number);
  for (let t = 0; t < numTerms; t++) {
    const begin = field.starts[t] as number;
    const end = field.starts[t + 1] as number;
    let b = starts[t] as number;
    for (let at = begin + BLOCK_SIZE; at < end + BLOCK_SIZE; at += BLOCK_SIZE)
      lastDocs[b++] = field.docs[Math.min(at, end) - 1] as number;
  }
  return { starts, lastDocs };
}

/**
 * Fills in term t's block impacts: per block, the largest float(freq · normInverse) over its postings,
 * computed exactly as the scorer computes it. The BM25 score is monotone in that product (float
 * rounding is monotone), so termScore(weight, impact) bounds every score in the block, and equals the
 * block's best one. Returns the term's overall largest impact.
 */
export function fillBlockImpacts(
  field: FieldIndex,
  blocks: PostingBlocks,
  cache: Float32Array,
  impacts: Float32Array,
  termId: number,
): number {
  const begin = field.starts[termId] as number;
  const end = field.starts[termId + 1] as number;
  const { docs, freqs, norms } = field;
  let b = blocks.starts[termId] as number;
  let termMax = 0;
  for (let at = begin; at < end; at += BLOCK_SIZE) {
    const blockEnd = Math.min(at + BLOCK_SIZE, end);
    let max = 0;
    for (let i = at; i < blockEnd; i++) {
      const x = f((freqs[i] as number) * (cache[norms[docs[i] as number] as number] as number));
      if (x > max) max = x;
    }
    impacts[b++] = max;
    if (max > termMax) termMax = max;
  }
  return termMax;
}
