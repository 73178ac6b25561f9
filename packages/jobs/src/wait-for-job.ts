/**
 * Following a job to its end, for callers that need its outcome (a CLI, a pipeline step): the final
 * record when it succeeded, a JobFailedError carrying the job's error when it failed or was cancelled.
 */
import { CancelledError, FerretError, type ErrorCode } from "@ferret/errors";
import type { JobRecord } from "./job-record.js";

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "INVALID_ARGUMENT",
  "INVALID_INPUT",
  "CONFIG_INVALID",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "CONFLICT",
  "FAILED_PRECONDITION",
  "CHECKSUM_MISMATCH",
  "UNAVAILABLE",
  "TIMEOUT",
  "CANCELLED",
  "RESOURCE_EXHAUSTED",
  "UNSUPPORTED",
  "INTERNAL",
]);

/** A job ended failed or cancelled; `code` is the job's error code, the message names job and cause. */
export class JobFailedError extends FerretError {
  readonly record: JobRecord;

  constructor(record: JobRecord) {
    const code = record.error?.code ?? (record.state === "cancelled" ? "CANCELLED" : "INTERNAL");
    const ended = record.state === "cancelled" ? "was cancelled" : "failed";
    const cause = record.error === undefined ? "" : `: ${record.error.message}`;
    super(
      CODES.has(code) ? (code as ErrorCode) : "INTERNAL",
      `${record.kind} job "${record.jobId}" ${ended}${cause}`,
      { details: { jobId: record.jobId, kind: record.kind, state: record.state } },
    );
    this.record = record;
  }
}

/**
 * Consumes a watch (JobStore.watch) to its end: the final record if the job succeeded; JobFailedError
 * if it failed or was cancelled; CancelledError if the watch ended first (its signal aborted).
 * `onUpdate` sees every record on the way.
 */
export async function waitForJob<Spec, Result>(
  watch: AsyncIterable<JobRecord<Spec, Result>>,
  onUpdate?: (record: JobRecord<Spec, Result>) => void,
): Promise<JobRecord<Spec, Result>> {
  let last: JobRecord<Spec, Result> | undefined;
  for await (const record of watch) {
    last = record;
    onUpdate?.(record);
  }
  if (last?.state === "succeeded") return last;
  if (last?.state === "failed" || last?.state === "cancelled") throw new JobFailedError(last as JobRecord);
  throw new CancelledError(`stopped watching job "${last?.jobId ?? "?"}" before it ended`);
}
