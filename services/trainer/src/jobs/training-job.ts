/**
 * A training job as stored in its @ferret/jobs record and sent on the work queue: the spec text (YAML or
 * JSON), the name errors report it under, and the model name to publish. Paths in the spec resolve
 * against the worker's data root.
 */
import type { Bus } from "@ferret/bus";
import { JobStore } from "@ferret/jobs";
import type { ArtifactRef } from "@ferret/proto";

export const TRAINING_QUEUE = "trainer";
export const TRAINING_JOBS_BUCKET = "trainer-jobs";
export const TRAINING_JOB_KIND = "train";
/** Event type of the engine's progress, republished (a TrainingProgress, proto3 JSON). */
export const TRAINING_PROGRESS_EVENT = "training.progress";

export interface TrainingJobSpec {
  spec: string;
  specName: string;
  modelName?: string;
}

export interface TrainingStageResult {
  stage: number;
  trainingSet: string;
  modelDir: string;
  steps: number;
}

export interface TrainingJobResult {
  /** The trained model dir (the last stage's export, or its copy in the models root). */
  modelDir: string;
  /** The model's directory artifact in the models bucket, when it was uploaded. */
  artifact?: ArtifactRef;
  trainingSetDir: string;
  stages: TrainingStageResult[];
  records: number;
  positives: number;
  negatives: number;
  falseNegativesFiltered: number;
  batches: number;
}

export interface TrainingQueueMessage {
  jobId: string;
}

export function openTrainingJobs(
  bus: Bus,
  bucket: string = TRAINING_JOBS_BUCKET,
): Promise<JobStore<TrainingJobSpec, TrainingJobResult>> {
  return JobStore.open<TrainingJobSpec, TrainingJobResult>(bus, { bucket, kind: TRAINING_JOB_KIND });
}
