import type { FieldIndex } from "./field-index.js";

/**
 * A scoring clause: one term of one field with its query weight (boost · idf, float), viewing the
 * field's postings. A query is a disjunction of clauses whose scores add up (Lucene's BooleanQuery of
 * SHOULD TermQuerys, as Anserini's BagOfWordsQueryGenerator builds it: one clause per distinct term,
 * boosted by the term's count in the query).
 */
export interface Clause {
  readonly docs: Int32Array;
  readonly freqs: Int32Array;
  readonly norms: Uint8Array;
  /** normInverseCache of the clause's field (depends on k1, b and the field's avgdl). */
  readonly cache: Float32Array;
  readonly weight: number;
  /** The highest score this clause gives any document (exact: the score is monotone in freq · normInverse). */
  readonly maxScore: number;
  /** Per block of BLOCK_SIZE postings (posting-blocks.ts), the document of its last posting. */
  readonly blockLastDocs: Int32Array;
  /** Per block, its largest float(freq · normInverse): termScore(weight, impact) bounds its scores. */
  readonly blockImpacts: Float32Array;
}

export function postingsOf(field: FieldIndex, termId: number): { docs: Int32Array; freqs: Int32Array } {
  const start = field.starts[termId] as number;
  const end = field.starts[termId + 1] as number;
  return { docs: field.docs.subarray(start, end), freqs: field.freqs.subarray(start, end) };
}
