export { jobSpecSchema } from "./data/spec.js";
export type {
  FalseNegativeSpec,
  JobSpec,
  JobSpecInput,
  RankWindow,
  RetrieverNegativesSpec,
  TasBalancedSpec,
  TeacherSpec,
} from "./data/spec.js";
export { loadJobSpec, parseJobSpec } from "./data/load-spec.js";
export type { LoadedJobSpec } from "./data/load-spec.js";
export { assembleTrainingSet } from "./data/assemble.js";
export type { AssembleOptions, AssembleResult } from "./data/assemble.js";
export {
  BATCHES_FILE,
  MANIFEST_FILE,
  PROVENANCE_FILE,
  STATS_FILE,
  TRAINING_SET_FILE,
  TRAINING_SET_FORMAT,
  TRAINING_SET_VERSION,
  engineExample,
  provenanceOf,
  stageFile,
  writeTrainingSet,
} from "./data/training-set-format.js";
export type {
  BatchItem,
  BatchRecord,
  EngineExample,
  NegativeRecord,
  PositiveRecord,
  ProvenanceRecord,
  TrainingRecord,
  TrainingSetManifest,
} from "./data/training-set-format.js";
export type { TrainingSetStats } from "./data/training-set-stats.js";
export { kMeans } from "./data/kmeans.js";
export { EmptyTrainingSetError } from "./errors.js";
export { CorpusCache } from "./data/corpus-cache.js";
export { parseEngineEvent } from "./engine/engine-events.js";
export type { EngineEvent } from "./engine/engine-events.js";
export { EngineFailedError, runEngine } from "./engine/engine-process.js";
export type { EngineRunOptions, EngineRunResult } from "./engine/engine-process.js";
export { engineJob, writeEngineJobFile } from "./engine/engine-job-file.js";
export type { EngineJobFile } from "./engine/engine-job-file.js";
export {
  TRAINING_JOBS_BUCKET,
  TRAINING_JOB_KIND,
  TRAINING_PROGRESS_EVENT,
  TRAINING_QUEUE,
  openTrainingJobs,
} from "./jobs/training-job.js";
export type {
  TrainingJobResult,
  TrainingJobSpec,
  TrainingQueueMessage,
  TrainingStageResult,
} from "./jobs/training-job.js";
export { submitTrainingJob } from "./jobs/submit-training-job.js";
export type { SubmitTrainingJobOptions } from "./jobs/submit-training-job.js";
export { publishTrainingProgress, trainingProgressOf } from "./jobs/training-progress.js";
export { startTrainingWorker } from "./jobs/training-worker.js";
export type { TrainingWorker, TrainingWorkerOptions } from "./jobs/training-worker.js";
export { ENGINE_DIR } from "./engine/engine-dir.js";
export { loadTrainerConfig, trainerConfigSchema } from "./config.js";
export type { TrainerConfig } from "./config.js";
export { createTrainerService, trainerHandlers, trainingJobStatus } from "./service/trainer-service.js";
export type { TrainerServiceOptions } from "./service/trainer-service.js";
export { startTrainer } from "./service/start-trainer.js";
export type { RunningTrainer } from "./service/start-trainer.js";
export { MODEL_PUBLISHED_EVENT, PUBLISHED_BY_FILE, publishModel } from "./jobs/publish-model.js";
export type { PublishModelOptions } from "./jobs/publish-model.js";
