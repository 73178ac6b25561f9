import { InvalidArgumentError } from "@ferret/errors";
import type { Run } from "@ferret/datasets";
import type { Bm25Params } from "../bm25/bm25-similarity.js";
import type { Rm3Options } from "../bm25/rm3.js";

/** What the embedded and the OpenSearch BM25 backends both offer. */

export interface LexicalQuery {
  id: string;
  text: string;
}

/**
 * How equal scores are ranked and written. "lucene": Lucene's order (the earlier indexed document first,
 * also at the cut k) and Lucene's float scores, bit for bit. "anserini": Anserini SearchCollection's
 * (what its published runs and regression figures come from): ties ordered by document id ascending,
 * also when choosing the top k, then scores rounded to 4 decimals minus 1e-6 per position within a run
 * of ties (adjustTiedScores), so trec_eval keeps that order.
 */
export type TieRule = "lucene" | "anserini";
export const TIE_RULES: readonly TieRule[] = ["lucene", "anserini"];

export function isTieRule(value: unknown): value is TieRule {
  return TIE_RULES.includes(value as TieRule);
}

/** Rejects an unknown tie rule in search options. */
export function checkTieRule(options: LexicalSearchOptions): void {
  if (options.ties !== undefined && !isTieRule(options.ties))
    throw new InvalidArgumentError(
      `ties must be one of ${TIE_RULES.join(", ")}, got "${String(options.ties)}"`,
    );
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
  /** Tie order and score writing (default "lucene"). */
  ties?: TieRule;
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
  /** Those of `ids` that are ids of indexed documents, in the order given. */
  documentIds(ids: readonly string[]): Promise<string[]>;
  close(): Promise<void>;
}

/** removeQueryIds (@ferret/datasets) for one query's hits: applied after retrieval, so k − 1 may remain. */
export function removeQueryHits(queryId: string, hits: SearchHit[]): SearchHit[] {
  return hits.filter((h) => h.id !== queryId);
}

export function hitsToRunEntry(hits: readonly SearchHit[]): Map<string, number> {
  return new Map(hits.map((h) => [h.id, h.score]));
}
