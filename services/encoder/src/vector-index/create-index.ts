import { ExactIndex } from "./exact-index.js";
import { HnswIndex } from "./hnsw-index.js";
import type { HnswOptions } from "./hnsw-index.js";
import type { VectorIndex } from "./vector-index.js";

export type IndexKind = "exact" | "hnsw" | "auto";

/**
 * Below this many vectors exact search is fast enough (a scan of 50k x 384 floats is ~20 ms per
 * query on one core) and has perfect recall, so "auto" picks it.
 */
export const EXACT_SEARCH_MAX_VECTORS = 50_000;

export function chooseIndexKind(kind: IndexKind, expectedSize: number): "exact" | "hnsw" {
  if (kind !== "auto") return kind;
  return expectedSize <= EXACT_SEARCH_MAX_VECTORS ? "exact" : "hnsw";
}

export function createVectorIndex(
  kind: IndexKind,
  dimension: number,
  expectedSize: number,
  hnsw: HnswOptions = {},
): VectorIndex {
  return chooseIndexKind(kind, expectedSize) === "exact"
    ? new ExactIndex(dimension)
    : new HnswIndex(dimension, hnsw);
}
