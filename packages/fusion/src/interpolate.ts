/**
 * Convex interpolation of two runs, α·a + (1 − α)·b per query, α on the FIRST run (Li et al., "To Interpolate
 * or not to Interpolate", SIGIR 2022 — research-methods §8). Pyserini writes it α_p·sparse + dense; that ranks
 * documents exactly as interpolate(sparse, dense, α_p / (1 + α_p)) (the scores differ by the factor 1 + α_p).
 */
import { InvalidArgumentError } from "@ferret/errors";
import { fuse, type FuseOptions } from "./fuse.js";
import type { Run } from "./types.js";

export type InterpolateOptions = Omit<FuseOptions, "method" | "weights" | "k">;

export function interpolationWeights(alpha: number): [number, number] {
  if (!Number.isFinite(alpha) || alpha < 0 || alpha > 1) {
    throw new InvalidArgumentError(`interpolation α must be in [0, 1], got ${alpha}`);
  }
  return [alpha, 1 - alpha];
}

export function interpolate(a: Run, b: Run, alpha: number, options: InterpolateOptions = {}): Run {
  return fuse([a, b], { ...options, method: "weighted", weights: interpolationWeights(alpha) });
}
