/**
 * Dense and hybrid retrieval for a query set. Hybrid: the dense run and a BM25 run, each cut to `depth`,
 * normalized per query and interpolated α·dense + (1 − α)·BM25 with @ferret/fusion (Li et al., "To
 * Interpolate or not to Interpolate", SIGIR 2022; Ma et al. 2021 for BM25 + DPR hybrids), top k kept.
 */
import type { QueryRecord, Run } from "@ferret/datasets";
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
  /** Drop a query's own id from its hits (BEIR ignore_identical_ids); k hits remain. */
  removeQuery?: boolean;
  hybrid?: HybridSettings;
}

/** Drops each query's own id and keeps its top k (trec_eval order). */
function dropSelf(run: Run, k: number): Run {
  for (const [qid, docs] of run) {
    docs.delete(qid);
    if (docs.size > k) {
      const kept = [...docs]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0))
        .slice(0, k);
      run.set(qid, new Map(kept));
    }
  }
  return run;
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
  const extra = options.removeQuery === true ? 1 : 0;
  const depth = hybrid?.depth ?? k;
  const dense = await denseSearch(encoder, index, queries, (hybrid ? depth : k) + extra);
  if (hybrid === undefined) return options.removeQuery === true ? dropSelf(dense, k) : dense;
  const normalization = normalizationOf(hybrid.normalization);
  const bm25 = await hybrid.bm25.searchBatch(
    queries.map((q) => ({ id: q.id, text: q.text })),
    { k: depth + extra },
  );
  if (options.removeQuery === true) {
    dropSelf(dense, depth);
    dropSelf(bm25, depth);
  }
  return interpolate(dense, bm25, hybrid.alpha, { normalization, topK: k });
}
