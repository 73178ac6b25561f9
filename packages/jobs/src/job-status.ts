/** A job record as the wire's JobStatus (proto/ferret/v1/common.proto), for gRPC Watch* and Get* calls. */
import { JobState, type ArtifactRef, type JobStatus } from "@ferret/proto";
import type { JobRecord } from "./job-record.js";

const STATES: Record<JobRecord["state"], JobState> = {
  queued: JobState.JOB_STATE_QUEUED,
  running: JobState.JOB_STATE_RUNNING,
  succeeded: JobState.JOB_STATE_SUCCEEDED,
  failed: JobState.JOB_STATE_FAILED,
  cancelled: JobState.JOB_STATE_CANCELLED,
};

export interface JobStatusOptions {
  /** progress.message; default the record's. */
  message?: string;
  /** The artifacts the job produced. */
  outputs?: ArtifactRef[];
}

export function toJobStatus(record: JobRecord, options: JobStatusOptions = {}): JobStatus {
  const updatedAt = new Date(record.updatedAt);
  return {
    job: { jobId: record.jobId, kind: record.kind },
    state: STATES[record.state],
    progress: {
      done: record.progress.done,
      total: record.progress.total,
      unit: record.progress.unit,
      message: options.message ?? record.progress.message ?? "",
      updatedAt,
    },
    errorCode: record.error?.code ?? "",
    errorMessage: record.error?.message ?? "",
    createdAt: new Date(record.createdAt),
    updatedAt,
    outputs: options.outputs ?? [],
  };
}
