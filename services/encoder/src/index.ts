export { denseSearch, documentText, indexDocuments } from "./dense-retriever.js";
export type { IndexDocumentsOptions } from "./dense-retriever.js";
export { EXACT_SEARCH_MAX_VECTORS, chooseIndexKind, createVectorIndex } from "./index/create-index.js";
export type { IndexKind } from "./index/create-index.js";
export { ExactIndex } from "./index/exact-index.js";
export { DEFAULT_HNSW, HnswIndex } from "./index/hnsw-index.js";
export type { HnswOptions } from "./index/hnsw-index.js";
export type { SearchHit, VectorIndex } from "./index/vector-index.js";
