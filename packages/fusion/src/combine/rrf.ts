/**
 * Reciprocal Rank Fusion: Σ_i 1 / (k + rank_i(d)), 1-based ranks, k = 60 by default (Cormack, Clarke &
 * Büttcher, SIGIR 2009; ranx `rrf`). Ranks follow trec_eval order (score desc, docid desc on ties); a document
 * a list did not retrieve adds nothing. Scores are not used beyond ranking, so normalization is irrelevant.
 */
import { InvalidArgumentError } from "@ferret/errors";
import { rankedEntries } from "../ranking.js";
import type { Results } from "../types.js";
import { combSum } from "./combsum.js";

export const RRF_DEFAULT_K = 60;

export interface RrfOptions {
  k?: number;
}

/** One list's RRF contributions: docid -> 1 / (k + rank). */
export function reciprocalRanks(results: Results, k: number = RRF_DEFAULT_K): Map<string, number> {
  if (!Number.isFinite(k) || k < 0)
    throw new InvalidArgumentError(`RRF k must be a finite number >= 0, got ${k}`);
  const out = new Map<string, number>();
  rankedEntries(results).forEach(([doc], i) => out.set(doc, 1 / (k + i + 1)));
  return out;
}

export function reciprocalRankFusion(
  lists: readonly Results[],
  options: RrfOptions = {},
): Map<string, number> {
  return combSum(lists.map((list) => reciprocalRanks(list, options.k)));
}
