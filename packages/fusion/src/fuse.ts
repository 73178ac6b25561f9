/**
 * Run fusion, per query: optional depth cut of each input, normalization, combination, optional top-k cut
 * (ranx.fuse, Bassani & Romelli, CIKM 2022; Pyserini HybridSearcher for depth/top-k and the "min" fill).
 *
 * Query set: the union of the runs' queries; a run that lacks a query counts as an empty list for it (ranx
 * instead refuses runs whose query ids differ). Output lists are in trec_eval order (score desc, docid desc).
 */
import { InvalidArgumentError } from "@ferret/errors";
import { combMnz } from "./combine/combmnz.js";
import { combSum } from "./combine/combsum.js";
import type { MissingScore } from "./combine/missing.js";
import { RRF_DEFAULT_K, reciprocalRankFusion } from "./combine/rrf.js";
import { weightedSum } from "./combine/weighted.js";
import { normalizeResults, type Normalization } from "./normalize/normalize.js";
import { rankedEntries, topResults } from "./ranking.js";
import type { Results, Run } from "./types.js";

export const FUSION_METHODS = ["weighted", "combsum", "combmnz", "rrf"] as const;
export type FusionMethod = (typeof FUSION_METHODS)[number];

export interface FuseOptions {
  method: FusionMethod;
  /** Per-query normalization before combining; default "min-max" (ranx.fuse's default). Unused by "rrf". */
  normalization?: Normalization;
  /** "weighted" only: one weight per run, in run order. */
  weights?: readonly number[];
  /** "rrf" only: default 60. */
  k?: number;
  /** Score for a document missing from a list (see MissingScore); default "zero" (ranx). Unused by "rrf". */
  missing?: MissingScore;
  /** Keep only each input's top `depth` results per query before normalizing (Pyserini's k0). */
  depth?: number;
  /** Keep only the top `topK` fused results per query. */
  topK?: number;
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${value}`);
  }
}

function validate(runs: readonly Run[], options: FuseOptions): void {
  if (!(FUSION_METHODS as readonly string[]).includes(options.method)) {
    throw new InvalidArgumentError(
      `unknown fusion method "${options.method}" (one of ${FUSION_METHODS.join(", ")})`,
    );
  }
  if (runs.length === 0) throw new InvalidArgumentError("fusion needs at least one run");
  if (options.method === "weighted") {
    const weights = options.weights;
    if (weights === undefined || weights.length !== runs.length) {
      throw new InvalidArgumentError(`weighted fusion needs one weight per run (${runs.length})`);
    }
    if (!weights.every(Number.isFinite))
      throw new InvalidArgumentError("fusion weights must be finite numbers");
  }
  checkCount("depth", options.depth);
  checkCount("topK", options.topK);
}

/** The union of the runs' query ids, first-seen order. */
export function queryUnion(runs: readonly Run[]): string[] {
  const seen = new Set<string>();
  for (const run of runs) for (const qid of run.keys()) seen.add(qid);
  return [...seen];
}

const EMPTY: Results = new Map();

/**
 * One query's prepared input lists (depth cut, normalized), for callers that combine the same inputs many
 * times (the α sweep).
 */
export function prepareLists(runs: readonly Run[], qid: string, options: FuseOptions): Results[] {
  return runs.map((run) => {
    const raw = run.get(qid) ?? EMPTY;
    const cut = options.depth === undefined ? raw : topResults(raw, options.depth);
    // RRF only ranks, and every normalization is monotone, so it skips normalization.
    return options.method === "rrf" ? cut : normalizeResults(cut, options.normalization ?? "min-max");
  });
}

/** Combine one query's prepared lists and order (and cut) the result. */
export function combineLists(lists: readonly Results[], options: FuseOptions): Map<string, number> {
  const missing = { missing: options.missing ?? "zero" };
  let combined: Map<string, number>;
  switch (options.method) {
    case "weighted":
      combined = weightedSum(lists, options.weights ?? [], missing);
      break;
    case "combsum":
      combined = combSum(lists, missing);
      break;
    case "combmnz":
      combined = combMnz(lists, missing);
      break;
    case "rrf":
      combined = reciprocalRankFusion(lists, { k: options.k ?? RRF_DEFAULT_K });
      break;
  }
  const ranked = rankedEntries(combined);
  return new Map(options.topK === undefined ? ranked : ranked.slice(0, options.topK));
}

export function fuse(runs: readonly Run[], options: FuseOptions): Run {
  validate(runs, options);
  const out: Run = new Map();
  for (const qid of queryUnion(runs)) out.set(qid, combineLists(prepareLists(runs, qid, options), options));
  return out;
}
