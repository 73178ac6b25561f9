// @ferret/ranker: cross-encoder reranking and teacher scores (ONNX via @ferret/inference), the gRPC Ranker
// service and the batch scoring job worker on the bus.

// Scoring and reranking.
export { CrossEncoderScorer, DEFAULT_CHUNK_PAIRS } from "./rerank/pair-scorer.js";
export type { CrossEncoderScorerOptions, PairScorer, ScoreOptions } from "./rerank/pair-scorer.js";
export { passageText } from "./rerank/passage-text.js";
export { DEFAULT_RERANK_DEPTH, rerankCandidates, rerankRun } from "./rerank/rerank-run.js";
export type { RerankOptions, RerankResult, RerankTexts } from "./rerank/rerank-run.js";
export { loadBeirTexts, recordTexts } from "./rerank/beir-texts.js";
export type { BeirTextsOptions } from "./rerank/beir-texts.js";
export { ModelCatalog } from "./rerank/model-catalog.js";
export type { ModelCatalogOptions } from "./rerank/model-catalog.js";

// Batch scoring jobs on the bus.
export {
  DEFAULT_SCORE_JOB_NAMES,
  SCORE_BATCHES_BUCKET,
  SCORE_JOBS_BUCKET,
  SCORE_JOB_KIND,
  SCORE_QUEUE,
  SCORE_RESULTS_BUCKET,
  SCORES_COMPLETED_EVENT,
  SCORES_PROGRESS_EVENT,
  batchKey,
  openScoreJobs,
  resultObjectName,
} from "./jobs/score-job-record.js";
export type {
  ScoreBatchMessage,
  ScoreBatchResult,
  ScoreJobNames,
  ScoreJobRecord,
  ScoreJobResult,
  ScoreJobSpec,
  ScoreJobStores,
  ScorePairTuple,
} from "./jobs/score-job-record.js";
export {
  DEFAULT_MAX_BATCH_BYTES,
  DEFAULT_SCORE_BATCH_SIZE,
  planScoreBatches,
} from "./jobs/plan-score-batches.js";
export { submitScoreJob } from "./jobs/submit-score-job.js";
export type { SubmitScoreJobOptions, SubmittedScoreJob } from "./jobs/submit-score-job.js";
export { startScoreWorker } from "./jobs/score-worker.js";
export type {
  ScoreWorker,
  ScoreWorkerMetrics,
  ScoreWorkerOptions,
  ScoreWorkerStats,
  ScorerResolver,
} from "./jobs/score-worker.js";
export {
  assembleScores,
  readScoreJob,
  readScoreJobResult,
  scoresToTsv,
  watchScoreJob,
} from "./jobs/score-job-results.js";
export type { ScoredPairRow } from "./jobs/score-job-results.js";

// The service.
export { createRankerService, rankerHandlers } from "./service/ranker-service.js";
export type { RankerServiceOptions } from "./service/ranker-service.js";
export { jobStatusOf, runFromMessage, runToMessage } from "./service/proto-convert.js";
export { noMetrics, rankerMetrics } from "./service/service-metrics.js";
export type { RankerMetrics } from "./service/service-metrics.js";
export { startRanker } from "./service/start-ranker.js";
export type { RunningRanker } from "./service/start-ranker.js";
export { loadRankerConfig, rankerConfigSchema } from "./config.js";
export type { RankerConfig } from "./config.js";
