/**
 * Submitting an evaluation job: record it as queued in KV, then publish it on the work queue under its id
 * (the bus drops a second publish of the same id within its dedup window; the worker skips an id whose
 * job has ended).
 */
import { randomUUID } from "node:crypto";
import type { Bus, QueueOptions } from "@ferret/bus";
import { checkJobId } from "@ferret/jobs";
import type { EvaluateRequest } from "@ferret/proto";
import { encodeJobPayload } from "./job-payload.js";
import { EVALUATION_JOBS_BUCKET, EVALUATION_QUEUE, openEvaluationJobs } from "./job-record.js";

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
  const jobId = checkJobId(options.jobId ?? randomUUID(), { file: "<evaluation job>" });
  const encoding = options.encoding ?? "protobuf";
  const jobs = await openEvaluationJobs(bus, options.jobsBucket ?? EVALUATION_JOBS_BUCKET);
  // A known id (resubmitted) keeps its record; the worker decides whether there is work left.
  await jobs.create(jobId, { spec: { encoding }, unit: "queries" });
  const queue = await bus.queue(options.queue ?? EVALUATION_QUEUE, options.queueOptions ?? {});
  const published = await queue.publish(encodeJobPayload(request, encoding), { id: jobId });
  return { jobId, duplicate: published.duplicate };
}
