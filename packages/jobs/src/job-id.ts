/**
 * The one job-id rule of every stage: job ids become KV keys, message ids and object names, so they
 * keep to characters every adapter accepts in all three and to one length limit.
 */
import { InputError, type InputLocation } from "@ferret/errors";

export const MAX_JOB_ID_LENGTH = 128;
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Returns `jobId`, or throws an InputError naming where it came from (default `<job>`, field job_id). */
export function checkJobId(jobId: string, where: Partial<InputLocation> = {}): string {
  if (!JOB_ID_PATTERN.test(jobId)) {
    throw new InputError(
      { file: where.file ?? "<job>", field: where.field ?? "job_id", line: where.line },
      `${JSON.stringify(jobId.length > 200 ? `${jobId.slice(0, 200)}...` : jobId)} is not a valid job id (1-${MAX_JOB_ID_LENGTH} of A-Z a-z 0-9 _ -)`,
    );
  }
  return jobId;
}
