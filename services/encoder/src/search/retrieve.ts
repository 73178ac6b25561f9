/**
 * Dense and hybrid retrieval for a query set. Hybrid: the dense run and a BM25 run, each cut to `depth`,
 * normalized per query and interpolated α·dense + (1 − α)·BM25 with @ferret/fusion (Li et al., "To
 * Interpolate or not to Interpolate", SIGIR 2022; Ma et al. 2021 for BM25 + DPR hybrids), top k kept.
 */
import { removeQueryIds, type QueryRecord, type Run } from "@ferret/datasets";
import { interpolate, isNormalization, type Normalization } from "@ferret/fusion";
import type { BiEncoder } from "@ferret/inference";
import { InvalidArgumentError } from "@ferret/errors";
import type { LexicalBackend } from "@ferret/retrieval";
import { denseSearch } from "../dense-retriever.js";
import type { VectorIndex } from "../vector-index/vector-index.js";

export interface HybridSettings {
  bm25: LexicalBackend;
  /** Weight of the dense run, in [0, 1]. */
  alpha: number;
  /** Default "min-max". */
  normalization?: string;
  /** Hits per run before fusion; default k. */
  depth?: number;
}

export interface RetrieveOptions {
  k: number;
  /** Drop a query's own id from the k retrieved (@ferret/datasets removeQueryIds: k − 1 may remain). */
  removeQuery?: boolean;
  hybrid?: HybridSettings;
}

export function normalizationOf(name: string | undefined): Normalization {
  const value = name === undefined || name === "" ? "min-max" : name;
  if (!isNormalization(value)) throw new InvalidArgumentError(`unknown normalization "${value}"`);
  return value;
}

export async function retrieve(
  encoder: BiEncoder,
  index: VectorIndex,
  queries: readonly QueryRecord[],
  options: RetrieveOptions,
): Promise<Run> {
  const { k, hybrid } = options;
  const depth = hybrid?.depth ?? k;
  const dense = await denseSearch(encoder, index, queries, hybrid ? depth : k);
  if (hybrid === undefined) return options.removeQuery === true ? removeQueryIds(dense) : dense;
  const normalization = normalizationOf(hybrid.normalization);
  const bm25 = await hybrid.bm25.searchBatch(
    queries.map((q) => ({ id: q.id, text: q.text })),
    { k: depth },
  );
  const fused = interpolate(dense, bm25, hybrid.alpha, { normalization, topK: k });
  return options.removeQuery === true ? removeQueryIds(fused) : fused;
}
