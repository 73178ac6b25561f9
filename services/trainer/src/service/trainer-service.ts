/**
 * The gRPC Trainer (proto/ferret/v1/trainer.proto) over the training jobs: SubmitJob validates the spec
 * and queues the job; GetJob and CancelJob read and change its record; WatchJob streams the record's
 * changes merged with the job's `training.progress` events (the latest one rides on each status), until
 * the job ends.
 */
import type { Bus, QueueOptions } from "@ferret/bus";
import {
  defineService,
  type CallContext,
  type ServiceImplementation,
  type ServiceRegistration,
} from "@ferret/grpc";
import { MODEL_DIR_MEDIA_TYPE } from "@ferret/inference";
import { isFinal, toJobStatus, type JobRecord, type JobStore } from "@ferret/jobs";
import {
  TrainerService,
  TrainingProgress,
  type JobRef,
  type SubmitTrainingJobRequest,
  type TrainingJobStatus,
} from "@ferret/proto";
import { submitTrainingJob } from "../jobs/submit-training-job.js";
import {
  TRAINING_PROGRESS_EVENT,
  type TrainingJobResult,
  type TrainingJobSpec,
} from "../jobs/training-job.js";

type Record_ = JobRecord<TrainingJobSpec, TrainingJobResult>;

export interface TrainerServiceOptions {
  bus: Bus;
  jobs: JobStore<TrainingJobSpec, TrainingJobResult>;
  dataRoot: string;
  queue: string;
  queueOptions?: QueueOptions;
}

export function trainingJobStatus(record: Record_, latest?: TrainingProgress): TrainingJobStatus {
  const result = record.result;
  return {
    status: toJobStatus(record),
    latest,
    trainingSet: result && {
      records: result.records,
      positives: result.positives,
      negatives: result.negatives,
      falseNegativesFiltered: result.falseNegativesFiltered,
      batches: result.batches,
      artifact: {
        bucket: "",
        name: result.trainingSetDir,
        sha256: "",
        size: 0,
        mediaType: "application/x-ferret-training-set",
      },
    },
    model: result && {
      name: record.spec.modelName || record.jobId,
      version: record.jobId,
      // the uploaded bundle when there is one, else the model dir's path
      artifact: result.artifact ?? {
        bucket: "",
        name: result.modelDir,
        sha256: "",
        size: 0,
        mediaType: MODEL_DIR_MEDIA_TYPE,
      },
    },
  };
}

export function trainerHandlers(
  options: TrainerServiceOptions,
): ServiceImplementation<typeof TrainerService> {
  const { jobs } = options;

  async function submitJob(request: SubmitTrainingJobRequest): Promise<TrainingJobStatus> {
    const record = await submitTrainingJob(
      options.bus,
      {
        spec: request.spec,
        specName: request.specName || "<spec>",
        ...(request.modelName ? { modelName: request.modelName } : {}),
      },
      {
        ...(request.jobId ? { jobId: request.jobId } : {}),
        dataRoot: options.dataRoot,
        queue: options.queue,
        jobsBucket: jobs.bucket,
        ...(options.queueOptions ? { queueOptions: options.queueOptions } : {}),
      },
    );
    return trainingJobStatus(record);
  }

  async function* watchJob(ref: JobRef, call: CallContext): AsyncIterable<TrainingJobStatus> {
    // One stream of updates from two sources: record changes and progress events of this job.
    type Update = { record: Record_ } | { progress: TrainingProgress } | { end: unknown };
    const queue: Update[] = [];
    let wake: (() => void) | undefined;
    const push = (u: Update): void => {
      queue.push(u);
      wake?.();
    };
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    call.signal.addEventListener("abort", onAbort, { once: true });
    const subscription = await options.bus.events.subscribe(TRAINING_PROGRESS_EVENT, (event) => {
      const progress = TrainingProgress.fromJSON(event.data);
      if (progress.job?.jobId === ref.jobId) push({ progress });
    });
    const watching = (async () => {
      try {
        await jobs.require(ref.jobId);
        for await (const record of jobs.watch(ref.jobId, { signal: stop.signal })) push({ record });
        push({ end: undefined });
      } catch (err) {
        push({ end: err });
      }
    })();
    let record: Record_ | undefined;
    let latest: TrainingProgress | undefined;
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const update = queue.shift()!;
        if ("end" in update) {
          if (update.end !== undefined) throw update.end;
          return;
        }
        if ("record" in update) record = update.record;
        else latest = update.progress;
        if (record) yield trainingJobStatus(record, latest);
        if (record && isFinal(record.state)) return;
      }
    } finally {
      stop.abort();
      call.signal.removeEventListener("abort", onAbort);
      await subscription.stop();
      await watching;
    }
  }

  return {
    submitJob,
    watchJob,
    getJob: async (ref) => trainingJobStatus(await jobs.require(ref.jobId)),
    cancelJob: async (ref) => {
      await jobs.require(ref.jobId);
      return trainingJobStatus(await jobs.cancel(ref.jobId, "cancelled by a CancelJob call"));
    },
  };
}

export function createTrainerService(options: TrainerServiceOptions): ServiceRegistration {
  return defineService(TrainerService, trainerHandlers(options));
}
