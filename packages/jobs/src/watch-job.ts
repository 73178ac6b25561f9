/**
 * Watch-until-final: the job's record now and after every change, as an async iterator that ends after
 * a final record (succeeded, failed, cancelled) or when the caller's signal aborts. gRPC Watch* streams
 * and CLIs iterate it; breaking out of the loop stops the KV watch.
 */
import type { KvStore } from "@ferret/bus";
import { NotFoundError } from "@ferret/errors";
import { isFinal, type JobRecord } from "./job-record.js";

export async function* watchRecord<Spec, Result>(
  kv: KvStore<JobRecord<Spec, Result>>,
  jobId: string,
  signal?: AbortSignal,
): AsyncGenerator<JobRecord<Spec, Result>> {
  if ((await kv.get(jobId)) === undefined) throw new NotFoundError(`no job "${jobId}" in ${kv.bucket}`);
  const changes: { record: JobRecord<Spec, Result> | undefined; revision: number }[] = [];
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const sub = await kv.watch(jobId, (change) => {
    changes.push({ record: change.value, revision: change.revision });
    notify();
  });
  signal?.addEventListener("abort", notify, { once: true });
  try {
    let seen = 0;
    for (;;) {
      while (changes.length > 0) {
        const { record, revision } = changes.shift()!;
        if (revision <= seen) continue;
        seen = revision;
        if (record === undefined) throw new NotFoundError(`job "${jobId}" was deleted while watched`);
        yield record;
        if (isFinal(record.state)) return;
      }
      if (signal?.aborted === true) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener("abort", notify);
    await sub.stop();
  }
}
