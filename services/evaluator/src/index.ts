// Metrics: trec_eval-exact ranking measures, Ferret's MRR@k / judged@k / AUC.
export {
  evaluate,
  parseMeasures,
  compareSpecs,
  measureFunction,
  specName,
  RankingPreparer,
  RELVALUE_NONPOOL,
  RELVALUE_UNJUDGED,
  queryAuc,
  aucOfScores,
  AucPool,
  ndcg,
  ndcgCut,
  dcgAt,
  idealDcgAt,
  averagePrecision,
  mapCut,
  recipRank,
  mrrCut,
  precisionAt,
  recallAt,
  rPrecision,
  bpref,
  successAt,
  judgedAt,
} from "./metrics/index.js";
export type {
  EvaluateOptions,
  Evaluation,
  MeasureInput,
  MeasureFamily,
  MeasureSpec,
  PreparedQuery,
  PrepareOptions,
} from "./metrics/index.js";

// RAG answer metrics and long-context reordering.
export {
  normalizeAnswer,
  answerTokens,
  overlapCount,
  exactMatch,
  tokenF1,
  tokenRecall,
  kPrecision,
  kPrecisionPlusPlus,
  reorderForLongContext,
  reorderedPosition,
} from "./rag/index.js";

// Output: trec_eval text and JSON.
export { formatTrecEval, formatTrecValue, toEvaluationJson, formatEvaluationJson } from "./output/index.js";
export type { TrecFormatOptions, EvaluationJson } from "./output/index.js";
