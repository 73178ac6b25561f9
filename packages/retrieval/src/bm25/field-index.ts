/**
 * One inverted field of the embedded index, in flat typed arrays: the postings of term t are
 * docs/freqs[starts[t], starts[t+1]), in increasing document order; norms[d] is Lucene's one-byte
 * encoded length of the field in document d.
 */
export interface FieldIndex {
  readonly name: string;
  /** termId -> term. */
  readonly terms: readonly string[];
  /** term -> termId. */
  readonly termIds: ReadonlyMap<string, number>;
  readonly starts: Uint32Array;
  readonly docs: Int32Array;
  readonly freqs: Int32Array;
  readonly norms: Uint8Array;
  /** Documents with at least one term in this field (Lucene's docCount, BM25's N). */
  readonly docCount: number;
  /** Sum of all term frequencies (Lucene's sumTotalTermFreq). */
  readonly sumTotalTermFreq: number;
}

/** Per-document term vectors of the contents field (for RM3): terms/freqs[starts[d], starts[d+1]). */
export interface DocVectors {
  readonly starts: Uint32Array;
  readonly terms: Int32Array;
  readonly freqs: Int32Array;
}

export function docFreq(field: FieldIndex, termId: number): number {
  return (field.starts[termId + 1] as number) - (field.starts[termId] as number);
}
