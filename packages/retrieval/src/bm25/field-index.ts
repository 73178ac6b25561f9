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

/** Transposes a field's postings into per-document term vectors (counting sort by document). */
export function invertPostings(field: FieldIndex, numDocs: number): DocVectors {
  const starts = new Uint32Array(numDocs + 1);
  for (let i = 0; i < field.docs.length; i++) {
    const slot = (field.docs[i] as number) + 1;
    starts[slot] = (starts[slot] as number) + 1;
  }
  for (let d = 0; d < numDocs; d++) starts[d + 1] = (starts[d + 1] as number) + (starts[d] as number);
  const fill = starts.slice(0, numDocs);
  const terms = new Int32Array(field.docs.length);
  const freqs = new Int32Array(field.docs.length);
  for (let t = 0; t < field.terms.length; t++) {
    const end = field.starts[t + 1] as number;
    for (let i = field.starts[t] as number; i < end; i++) {
      const d = field.docs[i] as number;
      const at = fill[d] as number;
      fill[d] = at + 1;
      terms[at] = t;
      freqs[at] = field.freqs[i] as number;
    }
  }
  return { starts, terms, freqs };
}
