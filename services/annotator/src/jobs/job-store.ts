/**
 * Where annotation jobs live on the bus, shared by every replica: job records (KV, updated with CAS),
 * batch files (object store), the work queue of batch messages, one label entry per item (KV,
 * create-if-absent: a redelivered batch can never write an item twice), batch-done markers, and the
 * outcome cache, and the results object store (each finished job's labels dataset). All names derive from one prefix so tests and tenants can keep theirs apart.
 */
import type { Bus, KvStore, ObjectStore, WorkQueue } from "@ferret/bus";
import { KvOutcomeCache, type CachedOutcome } from "../label-cache.js";
import type { LabelRecord } from "../labels.js";
import type { BatchMessage, JobRecord } from "./job-types.js";

export interface JobStoreOptions {
  /** Prefix of every queue/bucket name ([A-Za-z0-9_-]). Default "annotator". */
  prefix?: string;
  /** Ack wait of batch deliveries; workers call working() after each item. Default 60 s. */
  ackWaitMs?: number;
  maxDeliveries?: number;
}

export interface JobStore {
  readonly bus: Bus;
  readonly prefix: string;
  jobs: KvStore<JobRecord>;
  labels: KvStore<LabelRecord[]>;
  done: KvStore<{ at: string; by: string }>;
  cache: KvOutcomeCache;
  batches: ObjectStore;
  /** `<job>/labels.jsonl` and `<job>/qrels.trec` of finished jobs (bucket `${prefix}-results`). */
  results: ObjectStore;
  queue: WorkQueue<BatchMessage>;
}

export async function openJobStore(bus: Bus, options: JobStoreOptions = {}): Promise<JobStore> {
  const prefix = options.prefix ?? "annotator";
  const [jobs, labels, done, cacheKv, batches, results, queue] = await Promise.all([
    bus.kv<JobRecord>(`${prefix}-jobs`),
    bus.kv<LabelRecord[]>(`${prefix}-labels`),
    bus.kv<{ at: string; by: string }>(`${prefix}-done`),
    bus.kv<CachedOutcome>(`${prefix}-cache`),
    bus.objects(`${prefix}-batches`),
    bus.objects(`${prefix}-results`),
    bus.queue<BatchMessage>(`${prefix}-batches`, {
      ackWaitMs: options.ackWaitMs ?? 60_000,
      maxDeliveries: options.maxDeliveries ?? 10,
      backoff: { initialMs: 1000, maxMs: 30_000 },
    }),
  ]);
  return { bus, prefix, jobs, labels, done, cache: new KvOutcomeCache(cacheKv), batches, results, queue };
}

export function labelKey(jobId: string, itemKey: string): string {
  return `${jobId}.${itemKey}`;
}

export function batchObjectName(jobId: string, batch: number): string {
  return `${jobId}/batch-${String(batch).padStart(6, "0")}.json`;
}

export async function destroyJobStore(store: JobStore): Promise<void> {
  await Promise.allSettled([
    store.jobs.destroy(),
    store.labels.destroy(),
    store.done.destroy(),
    store.batches.destroy(),
    store.results.destroy(),
    store.queue.destroy(),
    store.bus.kv(`${store.prefix}-cache`).then((kv) => kv.destroy()),
  ]);
}
