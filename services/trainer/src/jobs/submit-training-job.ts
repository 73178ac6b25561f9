/**
 * Submitting a training job: the spec is validated first (a bad spec is refused, nothing queued), then
 * the record is created as queued and the job published on the work queue under its id. Resubmitting an
 * id keeps its record; its delivery resumes the work (assembled data and engine checkpoints are reused).
 */
import { randomUUID } from "node:crypto";
import type { Bus, QueueOptions } from "@ferret/bus";
import { InputError } from "@ferret/errors";
import { checkJobId, type JobRecord } from "@ferret/jobs";
import { parseJobSpec } from "../data/load-spec.js";
import {
  TRAINING_JOBS_BUCKET,
  TRAINING_QUEUE,
  openTrainingJobs,
  type TrainingJobResult,
  type TrainingJobSpec,
  type TrainingQueueMessage,
} from "./training-job.js";

export interface SubmitTrainingJobOptions {
  jobId?: string;
  /** Directory relative spec paths resolve against (the worker's data root). */
  dataRoot: string;
  queue?: string;
  jobsBucket?: string;
  queueOptions?: QueueOptions;
}

export async function submitTrainingJob(
  bus: Bus,
  job: TrainingJobSpec,
  options: SubmitTrainingJobOptions,
): Promise<JobRecord<TrainingJobSpec, TrainingJobResult>> {
  const jobId = checkJobId(options.jobId || randomUUID(), { file: "<training job>" });
  const { spec } = parseJobSpec(job.spec, { file: job.specName, baseDir: options.dataRoot });
  if (spec.model === undefined)
    throw new InputError({ file: job.specName, field: "model" }, "a training job needs the model to train");
  const jobs = await openTrainingJobs(bus, options.jobsBucket ?? TRAINING_JOBS_BUCKET);
  const { record } = await jobs.create(jobId, { spec: job, unit: "steps" });
  const queue = await bus.queue<TrainingQueueMessage>(
    options.queue ?? TRAINING_QUEUE,
    options.queueOptions ?? {},
  );
  await queue.publish({ jobId }, { id: jobId });
  return record;
}
