/**
 * An evaluation job's state in KV (bucket "evaluator-jobs" by default, key = job id), as JSON:
 *   { status: JobStatus, completed?: EvaluationCompleted, numQueries?: number }
 * with both messages in their proto3 JSON form, so any client (another service, a UI, `nats kv get`) reads
 * it without Ferret's code. `status.state` moves queued -> running -> succeeded | failed; `status.progress`
 * counts evaluated queries; `status.outputs` and `completed.report` name the per-query JSON artifact.
 */
import type { KvStore } from "@ferret/bus";
import type { JobState } from "@ferret/proto";
import { EvaluationCompleted, JobStatus, type ArtifactRef } from "@ferret/proto";

/** Names on the bus; all configurable, these are the defaults. */
export const EVALUATION_QUEUE = "evaluator";
export const EVALUATION_JOBS_BUCKET = "evaluator-jobs";
export const EVALUATION_RESULTS_BUCKET = "evaluator-results";
/** Published as ferret.events.evaluation.completed on NATS. */
export const EVALUATION_COMPLETED_EVENT = "evaluation.completed";
export const EVALUATE_JOB_KIND = "evaluate";

export interface StoredJobRecord {
  status: unknown;
  completed?: unknown;
  numQueries?: number;
}

export interface EvaluationJobRecord {
  status: JobStatus;
  completed?: EvaluationCompleted;
  numQueries?: number;
}

/** The per-query JSON artifact of a job. */
export function resultObjectName(jobId: string): string {
  return `evaluations/${jobId}.json`;
}

export function toStored(record: EvaluationJobRecord): StoredJobRecord {
  return {
    status: JobStatus.toJSON(record.status),
    ...(record.completed === undefined ? {} : { completed: EvaluationCompleted.toJSON(record.completed) }),
    ...(record.numQueries === undefined ? {} : { numQueries: record.numQueries }),
  };
}

export function fromStored(stored: StoredJobRecord): EvaluationJobRecord {
  return {
    status: JobStatus.fromJSON(stored.status),
    ...(stored.completed === undefined ? {} : { completed: EvaluationCompleted.fromJSON(stored.completed) }),
    ...(stored.numQueries === undefined ? {} : { numQueries: stored.numQueries }),
  };
}

export async function readJobRecord(
  kv: KvStore<StoredJobRecord>,
  jobId: string,
): Promise<EvaluationJobRecord | undefined> {
  const entry = await kv.get(jobId);
  return entry === undefined ? undefined : fromStored(entry.value);
}

export interface StatusFields {
  jobId: string;
  state: JobState;
  createdAt: Date;
  done?: number;
  total?: number;
  message?: string;
  errorCode?: string;
  errorMessage?: string;
  outputs?: ArtifactRef[];
}

export function jobStatus(fields: StatusFields): JobStatus {
  const now = new Date();
  return {
    job: { jobId: fields.jobId, kind: EVALUATE_JOB_KIND },
    state: fields.state,
    progress: {
      done: fields.done ?? 0,
      total: fields.total ?? 0,
      unit: "queries",
      message: fields.message ?? "",
      updatedAt: now,
    },
    errorCode: fields.errorCode ?? "",
    errorMessage: fields.errorMessage ?? "",
    createdAt: fields.createdAt,
    updatedAt: now,
    outputs: fields.outputs ?? [],
  };
}
