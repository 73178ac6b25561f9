/**
 * A worker's link from a job's record to the work it is doing: when the record turns cancelled (a
 * CancelJob or CancelRun call, from any process) the controller aborts with a CancelledError, so the
 * work (an engine subprocess, a stage) stops instead of running to an end nobody will use.
 */
import { CancelledError } from "@ferret/errors";
import type { JobStore } from "./job-store.js";

/**
 * Aborts `controller` when job `jobId` is cancelled. Resolves once the controller aborts for any reason:
 * the caller aborts it when the work ends, then awaits this to stop watching.
 */
export async function abortOnCancel<Spec, Result>(
  jobs: JobStore<Spec, Result>,
  jobId: string,
  controller: AbortController,
): Promise<void> {
  try {
    for await (const record of jobs.watch(jobId, { signal: controller.signal })) {
      if (record.state === "cancelled") {
        controller.abort(new CancelledError(`job ${jobId} was cancelled`));
        return;
      }
    }
  } catch {
    // The watch ends with the controller's abort (or the record's deletion): nothing to cancel then.
  }
}

/** Whether `signal` was aborted by abortOnCancel (the job was cancelled), not by a lost delivery. */
export function abortedByCancel(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof CancelledError;
}
