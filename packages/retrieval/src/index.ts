export { createAnalyzer, isAnalyzerName, ANALYZER_NAMES } from "./analysis/analyzer.js";
export type { Analyzer, AnalyzerName } from "./analysis/analyzer.js";
export { standardTokenize, DEFAULT_MAX_TOKEN_LENGTH } from "./analysis/standard-tokenizer.js";
export type { TokenizeOptions } from "./analysis/standard-tokenizer.js";
export { porterStem } from "./analysis/porter-stem.js";
export { ENGLISH_STOP_WORDS } from "./analysis/english-stop-words.js";
export { Bm25IndexBuilder } from "./bm25/index-builder.js";
export type { IndexBuildOptions, FieldLayout, BuiltIndex } from "./bm25/index-builder.js";
export { Bm25Index } from "./bm25/bm25-index.js";
export type {
  Bm25SearchOptions,
  TieBreak,
  TopDocs,
  TopKAlgorithm,
  WeightedTerms,
} from "./bm25/bm25-index.js";
export type { FieldIndex, DocVectors } from "./bm25/field-index.js";
export { ANSERINI_BM25 } from "./bm25/bm25-similarity.js";
export type { Bm25Params } from "./bm25/bm25-similarity.js";
export { intToByte4, byte4ToInt } from "./bm25/small-float.js";
export { ANSERINI_RM3, rm3ExpandedQuery, searchWithRm3 } from "./bm25/rm3.js";
export type { Rm3Options } from "./bm25/rm3.js";
export { searchIndex } from "./search/search-index.js";
export { removeQueryHits, TIE_RULES, isTieRule } from "./search/lexical-backend.js";
export { adjustTiedScores } from "./search/anserini-ties.js";
export type {
  LexicalBackend,
  LexicalQuery,
  LexicalSearchOptions,
  BatchSearchOptions,
  SearchHit,
  TieRule,
} from "./search/lexical-backend.js";
export { writeIndexFile, readIndexFile, INDEX_FORMAT_VERSION } from "./persist/index-file.js";
export { OpenSearchBm25, defaultOpenSearchNode } from "./opensearch/opensearch-bm25.js";
export type {
  OpenSearchBuildOptions,
  OpenSearchConnection,
  OpenSearchSearchConfig,
} from "./opensearch/opensearch-bm25.js";
export type { IngestProgress } from "./opensearch/bulk-ingest.js";
export type { AnalysisMode, FerretIndexMeta } from "./opensearch/index-definition.js";
export { EmbeddedBm25 } from "./search/embedded-bm25.js";
export type { EmbeddedBuildOptions, EmbeddedBatchOptions } from "./search/embedded-bm25.js";
