/**
 * Fusion by the names the Fuse RPC and `ferret fuse` accept, on top of @ferret/fusion's fuse():
 * methods wsum (weighted sum; ranx's name), combsum, combmnz, rrf; normalizations none, min-max, max, sum,
 * z-score (ranx: zmuv), rank, min-max-centered (Pyserini's). Weights: one per run, or for two runs α on the
 * first and 1 − α on the second.
 */
import type { Run } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import {
  NORMALIZATIONS,
  fuse,
  interpolationWeights,
  isNormalization,
  type FusionMethod,
  type Normalization,
} from "@ferret/fusion";

export const FUSE_METHODS = ["wsum", "combsum", "combmnz", "rrf"] as const;

const METHODS: Readonly<Record<string, FusionMethod>> = {
  wsum: "weighted",
  weighted: "weighted",
  combsum: "combsum",
  combmnz: "combmnz",
  rrf: "rrf",
};

const NORMALIZATION_ALIASES: Readonly<Record<string, Normalization>> = { zmuv: "z-score", minmax: "min-max" };

/** Results kept per query when no depth is given. */
export const DEFAULT_FUSE_DEPTH = 1000;

export interface FuseRunsOptions {
  /** wsum, combsum, combmnz or rrf. */
  method: string;
  /** Default min-max (ranx's default; rrf ignores it). */
  normalization?: string;
  /** wsum: one weight per run. */
  weights?: readonly number[];
  /** wsum with two runs: weight of the first (the second gets 1 − α). */
  alpha?: number;
  /** rrf constant; default 60. */
  k?: number;
  /** Results kept per query; default 1,000. */
  depth?: number;
}

export function fusionMethod(name: string): FusionMethod {
  const method = METHODS[name.toLowerCase()];
  if (method === undefined) {
    throw new InvalidArgumentError(`unknown fusion method "${name}" (one of ${FUSE_METHODS.join(", ")})`);
  }
  return method;
}

export function normalizationOf(name: string | undefined): Normalization {
  if (name === undefined || name === "") return "min-max";
  const lower = name.toLowerCase();
  const normalization = NORMALIZATION_ALIASES[lower] ?? lower;
  if (!isNormalization(normalization)) {
    throw new InvalidArgumentError(`unknown normalization "${name}" (one of ${NORMALIZATIONS.join(", ")})`);
  }
  return normalization;
}

function weightsFor(runs: number, options: FuseRunsOptions): number[] {
  const { weights, alpha } = options;
  if (weights !== undefined && weights.length > 0 && alpha !== undefined) {
    throw new InvalidArgumentError("give weights or alpha, not both");
  }
  if (alpha !== undefined) {
    if (runs !== 2)
      throw new InvalidArgumentError(`alpha interpolates two runs; got ${runs} (give one weight per run)`);
    return interpolationWeights(alpha);
  }
  if (weights === undefined || weights.length === 0) {
    throw new InvalidArgumentError("wsum needs weights (one per run) or, for two runs, alpha");
  }
  if (weights.length !== runs) {
    throw new InvalidArgumentError(
      `wsum needs one weight per run: ${weights.length} weights for ${runs} runs`,
    );
  }
  return [...weights];
}

export function fuseRuns(runs: readonly Run[], options: FuseRunsOptions): Run {
  const method = fusionMethod(options.method);
  if (runs.length < 2) throw new InvalidArgumentError(`fusion needs at least two runs, got ${runs.length}`);
  if (method !== "weighted" && ((options.weights?.length ?? 0) > 0 || options.alpha !== undefined)) {
    throw new InvalidArgumentError(`weights and alpha apply to wsum only, not ${options.method}`);
  }
  if (method !== "rrf" && options.k !== undefined) {
    throw new InvalidArgumentError(`k applies to rrf only, not ${options.method}`);
  }
  return fuse(runs, {
    method,
    normalization: normalizationOf(options.normalization),
    ...(method === "weighted" ? { weights: weightsFor(runs.length, options) } : {}),
    ...(options.k === undefined ? {} : { k: options.k }),
    topK: options.depth ?? DEFAULT_FUSE_DEPTH,
  });
}
