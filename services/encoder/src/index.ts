export { denseSearch, documentText, indexDocuments } from "./dense-retriever.js";
export type { IndexDocumentsOptions } from "./dense-retriever.js";
export { EXACT_SEARCH_MAX_VECTORS, chooseIndexKind, createVectorIndex } from "./vector-index/create-index.js";
export type { IndexKind } from "./vector-index/create-index.js";
export { ExactIndex } from "./vector-index/exact-index.js";
export { DEFAULT_HNSW, HnswIndex } from "./vector-index/hnsw-index.js";
export type { HnswOptions } from "./vector-index/hnsw-index.js";
export type { SearchHit, VectorIndex } from "./vector-index/vector-index.js";
export { BiEncoderCache, listModels } from "./model-registry.js";
export type { ModelEntry, ModelProblem } from "./model-registry.js";
export {
  MANIFEST_FILE,
  loadDenseIndex,
  readIndexManifest,
  saveDenseIndex,
} from "./vector-index/index-store.js";
export type { IndexManifest, LoadIndexOptions, SaveIndexInfo } from "./vector-index/index-store.js";
export { buildCollectionIndex, openCollectionIndex } from "./collection-index.js";
export type { BuildCollectionIndexOptions } from "./collection-index.js";
export { ModelServer, Serving } from "./serving/model-server.js";
export type { ModelServerOptions, SwapResult } from "./serving/model-server.js";
export { ServedIndex } from "./serving/served-index.js";
export { checkIndexName, indexDir } from "./serving/index-layout.js";
export { normalizationOf, retrieve } from "./search/retrieve.js";
export type { HybridSettings, RetrieveOptions } from "./search/retrieve.js";
export { DEFAULT_SHARD_SIZE, IndexJobFailedError, runIndexCorpusJob } from "./sharding/index-corpus-job.js";
export type { IndexCorpusJobOptions, IndexCorpusProgress } from "./sharding/index-corpus-job.js";
export {
  DEFAULT_SHARD_JOB_NAMES,
  INDEX_COMPLETED_EVENT,
  INDEXES_BUCKET,
  JOBS_BUCKET,
  SHARD_RECORDED_EVENT,
} from "./sharding/shard-job.js";
export type {
  AssembleMessage,
  EncoderQueueMessage,
  ShardJobNames,
  ShardMessage,
  ShardRecord,
} from "./sharding/shard-job.js";
export { assembleJob, finishJob } from "./sharding/assemble-index.js";
export type { AssembleContext, AssembleOutcome } from "./sharding/assemble-index.js";
export type {
  IndexJobSpec,
  IndexResult,
  JobModel,
  JobPlan,
  JobRecord,
  ShardPlan,
} from "./sharding/job-record.js";
export { openCorpusArtifact } from "./artifacts/corpus-artifact.js";
export type { CorpusArtifact } from "./artifacts/corpus-artifact.js";
export {
  ARTIFACT_MARKER_FILE,
  BUNDLE_MEDIA_TYPE,
  fetchIndexBundle,
  publishIndexDir,
  readIndexBundle,
} from "./artifacts/index-bundle.js";
export type { IndexBundle, PublishedIndex } from "./artifacts/index-bundle.js";
export { IndexArtifactCache } from "./artifacts/index-cache.js";
export type { CachedIndex } from "./artifacts/index-cache.js";
export { startShardWorker } from "./sharding/shard-worker.js";
export type {
  ShardEncoderResolver,
  ShardWorker,
  ShardWorkerMetrics,
  ShardWorkerOptions,
  ShardWorkerStats,
} from "./sharding/shard-worker.js";
export { createEncoderService, encoderHandlers } from "./service/encoder-service.js";
export type { EncoderServiceOptions } from "./service/encoder-service.js";
export { encoderConfigSchema, loadEncoderConfig } from "./config.js";
export type { EncoderConfig } from "./config.js";
export { MODEL_PUBLISHED_EVENT, startEncoder } from "./service/start-encoder.js";
export type { RunningEncoder } from "./service/start-encoder.js";
