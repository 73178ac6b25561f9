import type { AnalyzerName } from "../analysis/analyzer.js";
import type { Bm25Params } from "../bm25/bm25-similarity.js";
import type { FieldLayout } from "../bm25/index-builder.js";

/**
 * Settings and mappings of a Ferret BM25 index in OpenSearch.
 *
 * Scoring: a custom similarity of type BM25 with the index's k1 and b, on every text field.
 * Analysis, one of:
 * - "server": the field uses OpenSearch's own analyzer of that name ("english" is Lucene's
 *   EnglishAnalyzer, "standard" Lucene's StandardAnalyzer), available when the node has the
 *   analysis-common module;
 * - "client": Ferret analyzes documents and queries itself (the embedded index's analyzer) and the
 *   field only splits the pre-analyzed terms on whitespace. Works on a minimal distribution with no
 *   `english` analyzer, and guarantees the same terms as the embedded index.
 * Ferret's choices are kept in the mapping's _meta so a later `open` can query the index correctly.
 */

export type AnalysisMode = "client" | "server";

export interface FerretIndexMeta {
  analyzer: AnalyzerName;
  analysis: AnalysisMode;
  layout: FieldLayout;
  bm25: Bm25Params;
  /** Format of this metadata. */
  version: 1;
}

export const SIMILARITY = "ferret_bm25";
export const PRETOKENIZED_ANALYZER = "ferret_pretokenized";

export function fieldNames(layout: FieldLayout): string[] {
  return layout === "flat" ? ["contents"] : ["contents", "title"];
}

export function indexBody(meta: FerretIndexMeta, shards: number, replicas: number): Record<string, unknown> {
  const analyzer = meta.analysis === "client" ? PRETOKENIZED_ANALYZER : meta.analyzer;
  const properties: Record<string, unknown> = {};
  for (const name of fieldNames(meta.layout)) {
    // Norms stay on (BM25 needs them); positions are not needed for bag-of-words scoring.
    properties[name] = { type: "text", analyzer, similarity: SIMILARITY, index_options: "freqs" };
  }
  return {
    settings: {
      index: {
        number_of_shards: shards,
        number_of_replicas: replicas,
        // No refreshes while bulk loading; set back once the load is done.
        refresh_interval: "-1",
        similarity: {
          [SIMILARITY]: { type: "BM25", k1: meta.bm25.k1, b: meta.bm25.b, discount_overlaps: true },
        },
        analysis: { analyzer: { [PRETOKENIZED_ANALYZER]: { type: "custom", tokenizer: "whitespace" } } },
      },
    },
    mappings: { dynamic: "strict", _meta: { ferret: meta }, properties },
  };
}
