/** A store of (document id, embedding) that answers top-k inner-product queries. */
export interface SearchHit {
  id: string;
  /** Inner product of query and document vectors (= cosine for normalized embeddings). */
  score: number;
}

export interface VectorIndex {
  readonly kind: "exact" | "hnsw";
  readonly dimension: number;
  readonly size: number;
  /** Adds vectors ([ids.length x dimension], row-major); ids must be new. */
  add(ids: readonly string[], vectors: Float32Array): void;
  /** Top-k per query ([queries x dimension] row-major), best first; ties: higher id first (trec_eval order). */
  search(queries: Float32Array, k: number): SearchHit[][];
  /** Writes the index into `dir` (created if needed). */
  save(dir: string): Promise<void>;
}
