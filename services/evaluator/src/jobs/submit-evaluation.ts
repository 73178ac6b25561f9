/**
 * Submitting an evaluation job: record it as queued in KV, then publish it on the work queue under its id
 * (the bus drops a second publish of the same id within its dedup window; the worker skips an id whose
 * result is already stored).
 */
import { randomUUID } from "node:crypto";
import type { Bus, QueueOptions } from "@ferret/bus";
import { AlreadyExistsError } from "@ferret/errors";
import { JobState, type EvaluateRequest } from "@ferret/proto";
import { encodeJobPayload } from "./job-payload.js";
import {
  EVALUATION_JOBS_BUCKET,
  EVALUATION_QUEUE,
  jobStatus,
  toStored,
  type StoredJobRecord,
} from "./job-record.js";

export interface SubmitEvaluationOptions {
  /** Default: a random UUID. Give a deterministic id to make resubmission idempotent. */
  jobId?: string;
  /** Payload form; default "protobuf". */
  encoding?: "json" | "protobuf";
  queue?: string;
  jobsBucket?: string;
  /** The options the worker opens the queue with. */
  queueOptions?: QueueOptions;
}

export interface SubmittedJob {
  jobId: string;
  /** The bus already had a job with this id within its dedup window: nothing was enqueued. */
  duplicate: boolean;
}

export async function submitEvaluationJob(
  bus: Bus,
  request: EvaluateRequest,
  options: SubmitEvaluationOptions = {},
): Promise<SubmittedJob> {
  const jobId = options.jobId ?? randomUUID();
  const kv = await bus.kv<StoredJobRecord>(options.jobsBucket ?? EVALUATION_JOBS_BUCKET);
  try {
    await kv.create(
      jobId,
      toStored({ status: jobStatus({ jobId, state: JobState.JOB_STATE_QUEUED, createdAt: new Date() }) }),
    );
  } catch (err) {
    // Known id (resubmitted): keep its record; the worker decides whether there is work left.
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  const queue = await bus.queue(options.queue ?? EVALUATION_QUEUE, options.queueOptions ?? {});
  const published = await queue.publish(encodeJobPayload(request, options.encoding ?? "protobuf"), {
    id: jobId,
  });
  return { jobId, duplicate: published.duplicate };
}
