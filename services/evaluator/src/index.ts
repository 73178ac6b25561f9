// @ferret/evaluator: trec_eval-exact IR metrics, RAG answer metrics, significance tests, comparison tables,
// and the Evaluator service (gRPC handlers, evaluation job worker) built on them.

// Metrics (trec_eval 10.0 semantics) and their output formats.
export {
  AucPool,
  RELVALUE_NONPOOL,
  RELVALUE_UNJUDGED,
  RankingPreparer,
  aucOfScores,
  averagePrecision,
  bpref,
  compareSpecs,
  dcgAt,
  evaluate,
  idealDcgAt,
  judgedAt,
  mapCut,
  measureFunction,
  mrrCut,
  ndcg,
  ndcgCut,
  parseMeasures,
  precisionAt,
  queryAuc,
  rPrecision,
  recallAt,
  recipRank,
  specName,
  successAt,
} from "./metrics/index.js";
export type {
  EvaluateOptions,
  Evaluation,
  MeasureFamily,
  MeasureInput,
  MeasureSpec,
  PrepareOptions,
  PreparedQuery,
} from "./metrics/index.js";
export { formatEvaluationJson, formatTrecEval, formatTrecValue, toEvaluationJson } from "./output/index.js";
export type { EvaluationJson, TrecFormatOptions } from "./output/index.js";

// RAG answer metrics and context reordering.
export {
  answerTokens,
  exactMatch,
  kPrecision,
  kPrecisionPlusPlus,
  normalizeAnswer,
  overlapCount,
  reorderForLongContext,
  reorderedPosition,
  tokenF1,
  tokenRecall,
} from "./rag/index.js";

// Significance tests and comparison tables.
export {
  DEFAULT_ROUNDS,
  DEFAULT_SEED,
  MAX_EXACT_QUERIES,
  alignPaired,
  bootstrapMeanCi,
  createPrng,
  differences,
  exactPermutationTest,
  fisherRandomizationTest,
  holmBonferroni,
  pairedBootstrapCi,
  pairedTTest,
  percentile,
  percentileOfSorted,
} from "./significance/index.js";
export type {
  AlignOptions,
  BootstrapOptions,
  ConfidenceInterval,
  HolmResult,
  PairedSample,
  PairedTTestResult,
  PerQueryValues,
  Prng,
  RandomizationTestOptions,
  RandomizationTestResult,
} from "./significance/index.js";
export {
  MARKER_BETTER,
  MARKER_WORSE,
  compareSystems,
  comparisonToJson,
  renderComparisonMarkdown,
  renderComparisonText,
} from "./compare/index.js";
export type {
  CompareOptions,
  ComparisonCell,
  ComparisonJson,
  ComparisonRow,
  ComparisonTable,
  RenderOptions,
  SignificanceTest,
  SystemPerQuery,
} from "./compare/index.js";

// The service: gRPC handlers and what they are built from.
export {
  createEvaluatorService,
  evaluatorHandlers,
  REQUEST_QRELS,
  REQUEST_RUN,
} from "./service/evaluator-service.js";
export type { EvaluatorServiceOptions } from "./service/evaluator-service.js";
export { evaluateInSlices } from "./service/evaluate-in-slices.js";
export type { SliceOptions } from "./service/evaluate-in-slices.js";
export { compareRuns } from "./service/compare-runs.js";
export type { CompareRunsOptions, CompareRunsResult, NamedRunData } from "./service/compare-runs.js";
export {
  DEFAULT_FUSE_DEPTH,
  FUSE_METHODS,
  fuseRuns,
  fusionMethod,
  normalizationOf,
} from "./service/fuse-runs.js";
export type { FuseRunsOptions } from "./service/fuse-runs.js";
export { DEFAULT_MEASURES, measureSpecs } from "./service/request-options.js";
export { detectQrelsFormat, qrelsFormatOfLine, readQrelsFile } from "./service/qrels-file.js";
export type { QrelsFileResult, QrelsFormat } from "./service/qrels-file.js";
export { artifactLabel, directoryArtifacts, objectStoreArtifacts } from "./service/artifacts.js";
export type { ArtifactFetcher, LocalArtifact } from "./service/artifacts.js";
export { evaluatorMetrics, noMetrics } from "./service/service-metrics.js";
export type { EvaluatorMetrics } from "./service/service-metrics.js";
export { qrelsFromMessage, qrelsToMessage, runFromMessage, runToMessage } from "./service/proto-convert.js";
export { startEvaluator } from "./service/start-evaluator.js";
export type { RunningEvaluator } from "./service/start-evaluator.js";
export { resolveQrelsSource, resolveRunSource } from "./sources.js";
export type { ResolvedRun, SourceContext } from "./sources.js";
export { evaluatorConfigSchema, loadEvaluatorConfig } from "./config.js";
export type { EvaluatorConfig } from "./config.js";

// Evaluation jobs on the bus.
export { startEvaluationWorker } from "./service/evaluation-worker.js";
export type {
  EvaluationWorker,
  EvaluationWorkerOptions,
  EvaluationWorkerStats,
} from "./service/evaluation-worker.js";
export { submitEvaluationJob } from "./jobs/submit-evaluation.js";
export type { SubmitEvaluationOptions, SubmittedJob } from "./jobs/submit-evaluation.js";
export { decodeJobPayload, encodeJobPayload } from "./jobs/job-payload.js";
export type { EvaluationJobPayload } from "./jobs/job-payload.js";
export {
  EVALUATE_JOB_KIND,
  EVALUATION_COMPLETED_EVENT,
  EVALUATION_JOBS_BUCKET,
  EVALUATION_QUEUE,
  EVALUATION_RESULTS_BUCKET,
  fromStored,
  openEvaluationJobs,
  readJobRecord,
  resultObjectName,
} from "./jobs/job-record.js";
export type {
  EvaluationJobRecord,
  EvaluationJobSpec,
  StoredEvaluationResult,
  StoredJobRecord,
} from "./jobs/job-record.js";
