// The pipeline: its spec, the stage graph (stage definitions and keys, shared by embedded and cluster
// mode), filesystem stage outputs, and the embedded runner.
export { loadPipelineSpec, parsePipelineSpec } from "./load-pipeline-spec.js";
export type { LoadedPipelineSpec } from "./load-pipeline-spec.js";
export { annotateOutputOf, pipelineSpecSchema } from "./pipeline-spec.js";
export type { PipelineSpec, PipelineSpecInput } from "./pipeline-spec.js";
export { STAGES, planStages } from "./stages.js";
export type {
  PlannedStage,
  StageContext,
  StageDefinition,
  StageEnvironment,
  StageKeyInputs,
  StageName,
} from "./stages.js";
export { STAGE_FORMAT, pathDigest, stageKey } from "./stage-key.js";
export type { StageKeyParts } from "./stage-key.js";
export {
  STAGE_RECORD_FILE,
  finishedStage,
  stageOutputDir,
  stageWorkDir,
  writeStageOutput,
} from "./stage-store.js";
export type { StageRecord } from "./stage-store.js";
export { stageProgressView } from "./stage-progress.js";
export type { StageProgressView } from "./stage-progress.js";
export { preflight } from "./preflight.js";
export { runEmbedded } from "./run-embedded.js";
export type { EmbeddedRunOptions, EmbeddedRunResult, StageOutcome } from "./run-embedded.js";
export { RUNS_DIR, SYSTEMS_FILE } from "./stage-evaluate.js";
export type { EvaluatedSystem, HybridTuning, SystemsFile } from "./stage-evaluate.js";
