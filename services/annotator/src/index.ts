export type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  JsonSchema,
  LlmBackend,
  TokenUsage,
} from "./llm/types.js";
export { OpenAiBackend } from "./llm/openai-backend.js";
export type { OpenAiBackendConfig, StructuredOutputMode } from "./llm/openai-backend.js";
export { LlamaCppBackend } from "./llm/llama-cpp-backend.js";
export type { LlamaCppBackendConfig } from "./llm/llama-cpp-backend.js";
export { LlmCallError, isRetryableLlmError } from "./llm/llm-errors.js";
export { withRetries, retryDelayMs } from "./llm/retry.js";
export type { RetryOptions } from "./llm/retry.js";
export { CallLimiter } from "./llm/limiter.js";
export type { LimiterOptions } from "./llm/limiter.js";
export { callStructured, noLlmMetrics } from "./llm/structured-call.js";
export type { LlmMetrics, StructuredCallOptions, StructuredOutcome } from "./llm/structured-call.js";
export { parseJsonReply } from "./llm/parse-json.js";
export type { Task, ParseResult } from "./tasks/task.js";
export { relevanceTask } from "./tasks/relevance.js";
export type { RelevanceInput, RelevanceOutput } from "./tasks/relevance.js";
export {
  MAX_WINDOW,
  pseudoAnswerTask,
  relevanceSelectionTask,
  topPercent,
  utilityRankingTask,
  utilitySelectionTask,
} from "./tasks/listwise.js";
export type { AnswerInput, WindowInput } from "./tasks/listwise.js";
export { equalChunks, shuffledWindows } from "./tasks/windows.js";
export type { Placed } from "./tasks/windows.js";
export {
  askFromSummaryTask,
  DEFAULT_EXAMPLES,
  firstQuery,
  passageSummaryTask,
  queryProblem,
  syntheticQueryTask,
} from "./tasks/synthetic-queries.js";
export type {
  AskInput,
  QueryExample,
  QueryGenInput,
  QueryGenOutput,
  QueryStyle,
  QueryType,
} from "./tasks/synthetic-queries.js";
export { gradedDocumentTask, LEVEL_INSTRUCTIONS } from "./tasks/graded-documents.js";
export type { GradedDocInput, RelevanceLevel } from "./tasks/graded-documents.js";
export { DATA_NOT_INSTRUCTIONS, formatPassage, neutralise } from "./tasks/passage-format.js";
export type { PassageText } from "./tasks/passage-format.js";
export { cacheKey, canonicalJson, KvOutcomeCache } from "./label-cache.js";
export type { CacheKeyParts, CachedOutcome, OutcomeCache } from "./label-cache.js";
export { Annotator } from "./annotator.js";
export type { AnnotatorOptions, TaskRun } from "./annotator.js";
export { labelUsage } from "./labels.js";
export type { LabelKind, LabelRecord, StepProvenance } from "./labels.js";
export { firstStepKeys, itemKey, processItem } from "./work-items.js";
export type { QueryRef, WorkItem } from "./work-items.js";
export { labelsJsonl, qrelsFromLabels, writeLabelsDir } from "./label-output.js";
export type { WrittenLabels } from "./label-output.js";
export { agreementReport, cohenKappa } from "./agreement.js";
export type { AgreementReport, KappaWeights } from "./agreement.js";
export { batchObjectName, destroyAnnotationStore, openAnnotationStore } from "./jobs/annotation-store.js";
export type { AnnotationStore, AnnotationStoreOptions } from "./jobs/annotation-store.js";
export { INLINE_BATCH_BYTES, submitJob } from "./jobs/submit-job.js";
export type { SubmitJobRequest } from "./jobs/submit-job.js";
export { countLabels } from "./jobs/batch-counts.js";
export { collectLabels, jobProgress, progressOf } from "./jobs/annotation-progress.js";
export { handleBatch, noWorkerMetrics, startAnnotationWorker } from "./jobs/annotation-worker.js";
export type { AnnotationWorkerMetrics, BatchOutcome, WorkerOptions } from "./jobs/annotation-worker.js";
export { labelsObjectName, publishJobLabels, qrelsObjectName } from "./jobs/publish-labels.js";
export type { PublishedLabels } from "./jobs/publish-labels.js";
export type {
  AnnotationJob,
  AnnotationProgress,
  AnnotationResult,
  AnnotationSpec,
  BatchCounts,
  BatchLabels,
  BatchMessage,
} from "./jobs/job-types.js";
export { annotatorService, MAX_JUDGE_PASSAGES } from "./service/annotator-service.js";
export { judgeRelevance, judgeUtility } from "./service/judge.js";
export type { AnnotatorServiceOptions } from "./service/annotator-service.js";
export { annotatorMetrics, noMetrics } from "./service/service-metrics.js";
export type { AnnotatorMetrics } from "./service/service-metrics.js";
export { annotatorConfigSchema, loadAnnotatorConfig } from "./config.js";
export type { AnnotatorConfig } from "./config.js";
export { openBackend, startAnnotator } from "./start-annotator.js";
export type { RunningAnnotator } from "./start-annotator.js";
export { INJECTION_SET, measureFlipRate } from "./injection.js";
export type { FlipRateReport, InjectionCase } from "./injection.js";
export { annotateCollection } from "./pipeline.js";
export type { AnnotateCollectionOptions, AnnotateCollectionResult, AnnotateTaskName } from "./pipeline.js";
export { candidatePools } from "./candidates.js";
export { encoderDenseRun } from "./dense-candidates.js";
export type { EncoderClient } from "./dense-candidates.js";
export { DEFAULT_POOL_DEPTH, serverPools } from "./service/server-pools.js";
export type { PooledQuery, ServerPoolOptions } from "./service/server-pools.js";
export { CorpusIndexCache } from "./service/corpus-index-cache.js";
export type { CorpusLease, IndexedCorpus } from "./service/corpus-index-cache.js";
export { utilityLabels } from "./utility-labels.js";
export type { UtilityItem } from "./utility-labels.js";
export { slidingWindowTopK } from "./tasks/sliding-window-rank.js";
export type { SlidingRankResult, WindowRanker, WindowRanking } from "./tasks/sliding-window-rank.js";
export { BatchCache } from "./jobs/batch-cache.js";
export type { BatchCacheOptions } from "./jobs/batch-cache.js";
export type { CandidatePoolOptions } from "./candidates.js";
export { applyRoundTrip } from "./round-trip.js";
export { FileOutcomeCache } from "./file-cache.js";
