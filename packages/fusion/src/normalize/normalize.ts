import { InvalidArgumentError } from "@ferret/errors";
import type { Results, Run } from "../types.js";
import { maxNormalize } from "./max.js";
import { minMaxCenteredNormalize } from "./min-max-centered.js";
import { minMaxNormalize } from "./min-max.js";
import { noNormalization } from "./none.js";
import { rankNormalize } from "./rank.js";
import { sumNormalize } from "./sum.js";
import { zScoreNormalize } from "./z-score.js";

/**
 * Per-query score normalizations. ranx names: "min-max", "max", "sum", "zmuv" (our "z-score"), "rank";
 * "min-max-centered" is Pyserini's; "none" is ranx's norm=None.
 */
export const NORMALIZATIONS = [
  "none",
  "min-max",
  "max",
  "sum",
  "z-score",
  "rank",
  "min-max-centered",
] as const;
export type Normalization = (typeof NORMALIZATIONS)[number];

const IMPLEMENTATIONS: Record<Normalization, (results: Results) => Map<string, number>> = {
  none: noNormalization,
  "min-max": minMaxNormalize,
  max: maxNormalize,
  sum: sumNormalize,
  "z-score": zScoreNormalize,
  rank: rankNormalize,
  "min-max-centered": minMaxCenteredNormalize,
};

export function isNormalization(name: string): name is Normalization {
  return (NORMALIZATIONS as readonly string[]).includes(name);
}

/** Normalize one query's results. */
export function normalizeResults(results: Results, method: Normalization): Map<string, number> {
  const impl = IMPLEMENTATIONS[method];
  if (impl === undefined) {
    throw new InvalidArgumentError(
      `unknown normalization "${String(method)}" (one of ${NORMALIZATIONS.join(", ")})`,
    );
  }
  return impl(results);
}

/** Normalize every query of a run independently. */
export function normalizeRun(run: Run, method: Normalization): Run {
  const out: Run = new Map();
  for (const [qid, results] of run) out.set(qid, normalizeResults(results, method));
  return out;
}
