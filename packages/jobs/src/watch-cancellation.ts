/**
 * A worker's link from a job's record to the work it is doing: the work's signal aborts when its delivery
 * is lost (the message went to another replica, the worker stops) or when the record turns cancelled (a
 * CancelJob or CancelRun call, from any process), so the work (an engine subprocess, a stage) stops instead
 * of running to an end nobody will use.
 */
import { CancelledError } from "@ferret/errors";
import type { JobStore } from "./job-store.js";

export interface JobWork {
  /** Aborted when the delivery is lost or the job is cancelled. */
  signal: AbortSignal;
  /** Whether the job's cancellation (not a lost delivery) aborted the signal. */
  cancelled(): boolean;
  /** Stops watching; call once the work has ended. */
  close(): Promise<void>;
}

/** Watches job `jobId` for cancellation while one delivery of it (whose signal is `delivery`) is worked on. */
export function watchCancellation<Spec, Result>(
  jobs: JobStore<Spec, Result>,
  jobId: string,
  delivery: AbortSignal,
): JobWork {
  const stop = new AbortController();
  const onLost = (): void => stop.abort(delivery.reason);
  delivery.addEventListener("abort", onLost, { once: true });
  const watching = (async () => {
    try {
      for await (const record of jobs.watch(jobId, { signal: stop.signal })) {
        if (record.state === "cancelled") {
          stop.abort(new CancelledError(`job ${jobId} was cancelled`));
          return;
        }
      }
    } catch {
      // The watch ends with the abort (or the record's deletion): nothing to cancel then.
    }
  })();
  return {
    signal: stop.signal,
    cancelled: () => stop.signal.aborted && stop.signal.reason instanceof CancelledError,
    async close() {
      delivery.removeEventListener("abort", onLost);
      stop.abort();
      await watching;
    },
  };
}
