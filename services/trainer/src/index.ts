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
