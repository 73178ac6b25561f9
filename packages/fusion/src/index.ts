export type { Qrels, Results, Run } from "./types.js";
export { rankedEntries, topResults } from "./ranking.js";

export { NORMALIZATIONS, isNormalization, normalizeResults, normalizeRun } from "./normalize/normalize.js";
export type { Normalization } from "./normalize/normalize.js";
export { noNormalization } from "./normalize/none.js";
export { minMaxNormalize } from "./normalize/min-max.js";
export { maxNormalize } from "./normalize/max.js";
export { sumNormalize } from "./normalize/sum.js";
export { zScoreNormalize } from "./normalize/z-score.js";
export { rankNormalize } from "./normalize/rank.js";
export { minMaxCenteredNormalize } from "./normalize/min-max-centered.js";
export { DENOMINATOR_FLOOR } from "./normalize/guard.js";

export type { MissingScore } from "./combine/missing.js";
export { weightedSum } from "./combine/weighted.js";
export type { ScoreCombinationOptions } from "./combine/weighted.js";
export { combSum } from "./combine/combsum.js";
export { combMnz } from "./combine/combmnz.js";
export { RRF_DEFAULT_K, reciprocalRankFusion, reciprocalRanks } from "./combine/rrf.js";
export type { RrfOptions } from "./combine/rrf.js";

export { FUSION_METHODS, fuse, queryUnion } from "./fuse.js";
export type { FuseOptions, FusionMethod } from "./fuse.js";
export { interpolate, interpolationWeights } from "./interpolate.js";
export type { InterpolateOptions } from "./interpolate.js";
export { alphaGrid, sweepAlpha } from "./alpha-sweep.js";
export type { AlphaSweepOptions, AlphaSweepPoint, AlphaSweepResult, RunMetric } from "./alpha-sweep.js";
