import type { Run } from "@ferret/datasets";
import type { Bm25Params } from "../bm25/bm25-similarity.js";
import type { Rm3Options } from "../bm25/rm3.js";

/** What the embedded and the OpenSearch BM25 backends both offer. */

export interface LexicalQuery {
  id: string;
  text: string;
}

export interface SearchHit {
  id: string;
  score: number;
}

export interface LexicalSearchOptions {
  /** Hits to retrieve (default 1000). With removeQuery, up to k remain, as Anserini. */
  k?: number;
  /** Drop the hit whose id is the query id from the k retrieved (Ferret's one rule: @ferret/datasets removeQueryIds). */
  removeQuery?: boolean;
  /** BM25 k1 and b for this search (embedded only; an OpenSearch index fixes them at creation). */
  bm25?: Bm25Params;
  /** Multifield indexes: weight per field (default 1 each). */
  fieldWeights?: Readonly<Record<string, number>>;
  /** RM3 pseudo-relevance feedback (embedded only); true for Anserini's defaults. */
  rm3?: boolean | Rm3Options;
}

export interface BatchSearchOptions extends LexicalSearchOptions {
  /** Called as queries complete. */
  onProgress?: (done: number, total: number) => void;
}

export interface LexicalBackend {
  readonly kind: "embedded" | "opensearch";
  search(query: LexicalQuery, options?: LexicalSearchOptions): Promise<SearchHit[]>;
  /** Searches many queries; the run maps query id -> document id -> score. */
  searchBatch(queries: readonly LexicalQuery[], options?: BatchSearchOptions): Promise<Run>;
  close(): Promise<void>;
}

/** removeQueryIds (@ferret/datasets) for one query's hits: applied after retrieval, so k − 1 may remain. */
export function removeQueryHits(queryId: string, hits: SearchHit[]): SearchHit[] {
  return hits.filter((h) => h.id !== queryId);
}

export function hitsToRunEntry(hits: readonly SearchHit[]): Map<string, number> {
  return new Map(hits.map((h) => [h.id, h.score]));
}
