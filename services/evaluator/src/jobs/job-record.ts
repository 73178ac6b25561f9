/**
 * An evaluation job's record in KV (bucket "evaluator-jobs" by default, key = job id): a @ferret/jobs
 * JobRecord, queued -> running -> succeeded | failed, progress in evaluated queries, and with success the
 * EvaluationCompleted message (proto3 JSON, readable by any client) and the per-query JSON artifact.
 * readJobRecord gives it as the wire's JobStatus.
 */
import type { Bus, KvStore } from "@ferret/bus";
import { JobStore, toJobStatus, type JobRecord } from "@ferret/jobs";
import { ArtifactRef, EvaluationCompleted, type JobStatus } from "@ferret/proto";

/** Names on the bus; all configurable, these are the defaults. */
export const EVALUATION_QUEUE = "evaluator";
export const EVALUATION_JOBS_BUCKET = "evaluator-jobs";
export const EVALUATION_RESULTS_BUCKET = "evaluator-results";
/** Published as ferret.events.evaluation.completed on NATS. */
export const EVALUATION_COMPLETED_EVENT = "evaluation.completed";
export const EVALUATE_JOB_KIND = "evaluate";

/** The request travels in the queue message; the record keeps only how it was sent. */
export interface EvaluationJobSpec {
  encoding: "json" | "protobuf" | "unknown";
}

/** What a succeeded job stores, in proto3 JSON. */
export interface StoredEvaluationResult {
  completed: unknown;
  report: unknown;
  numQueries: number;
}

export type StoredJobRecord = JobRecord<EvaluationJobSpec, StoredEvaluationResult>;

export interface EvaluationJobRecord {
  status: JobStatus;
  completed?: EvaluationCompleted;
  numQueries?: number;
}

export function openEvaluationJobs(
  bus: Bus,
  bucket = EVALUATION_JOBS_BUCKET,
): Promise<JobStore<EvaluationJobSpec, StoredEvaluationResult>> {
  return JobStore.open(bus, { bucket, kind: EVALUATE_JOB_KIND });
}

/** The per-query JSON artifact of a job. */
export function resultObjectName(jobId: string): string {
  return `evaluations/${jobId}.json`;
}

export function fromStored(record: StoredJobRecord): EvaluationJobRecord {
  const result = record.result;
  const outputs = result === undefined ? [] : [ArtifactRef.fromJSON(result.report)];
  return {
    status: toJobStatus(record, { outputs }),
    ...(result === undefined
      ? {}
      : { completed: EvaluationCompleted.fromJSON(result.completed), numQueries: result.numQueries }),
  };
}

export async function readJobRecord(
  kv: KvStore<StoredJobRecord>,
  jobId: string,
): Promise<EvaluationJobRecord | undefined> {
  const entry = await kv.get(jobId);
  return entry === undefined ? undefined : fromStored(entry.value);
}
