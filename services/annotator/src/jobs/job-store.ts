/**
 * Where annotation jobs live on the bus, shared by every replica: job records (KV, updated with CAS),
 * the work queue of batch messages (items inline, or in the batches object store when large), one label
 * entry per finished batch (KV, create-if-absent: a redelivered batch can never write twice), per-job
 * counters (KV, CAS), the outcome cache, and the results object store (each finished job's labels
 * dataset). All names derive from one prefix so tests and tenants can keep theirs apart.
 */
import type { Bus, KvStore, ObjectStore, WorkQueue } from "@ferret/bus";
import { KvOutcomeCache, type CachedOutcome } from "../label-cache.js";
import type { BatchLabels, BatchMessage, JobCounters, JobRecord } from "./job-types.js";

export interface JobStoreOptions {
  /** Prefix of every queue/bucket name ([A-Za-z0-9_-]). Default "annotator". */
  prefix?: string;
  /** Ack wait of batch deliveries; workers renew it while a batch runs. Default 60 s. */
  ackWaitMs?: number;
  maxDeliveries?: number;
}

export interface JobStore {
  readonly bus: Bus;
  readonly prefix: string;
  readonly ackWaitMs: number;
  jobs: KvStore<JobRecord>;
  /** `<job>.b<batch>` -> the labels of a finished batch. */
  labels: KvStore<BatchLabels>;
  /** `<job>` -> running totals. */
  counters: KvStore<JobCounters>;
  cache: KvOutcomeCache;
  /** Batches too large to travel inline in their queue message. */
  batches: ObjectStore;
  /** `<job>/labels.jsonl` and `<job>/qrels.trec` of finished jobs (bucket `${prefix}-results`). */
  results: ObjectStore;
  queue: WorkQueue<BatchMessage>;
}

export async function openJobStore(bus: Bus, options: JobStoreOptions = {}): Promise<JobStore> {
  const prefix = options.prefix ?? "annotator";
  const ackWaitMs = options.ackWaitMs ?? 60_000;
  const [jobs, labels, counters, cacheKv, batches, results, queue] = await Promise.all([
    bus.kv<JobRecord>(`${prefix}-jobs`),
    bus.kv<BatchLabels>(`${prefix}-labels`),
    bus.kv<JobCounters>(`${prefix}-counters`),
    bus.kv<CachedOutcome>(`${prefix}-cache`),
    bus.objects(`${prefix}-batches`),
    bus.objects(`${prefix}-results`),
    bus.queue<BatchMessage>(`${prefix}-batches`, {
      ackWaitMs,
      maxDeliveries: options.maxDeliveries ?? 10,
      backoff: { initialMs: 1000, maxMs: 30_000 },
    }),
  ]);
  return {
    bus,
    prefix,
    ackWaitMs,
    jobs,
    labels,
    counters,
    cache: new KvOutcomeCache(cacheKv),
    batches,
    results,
    queue,
  };
}

export function batchLabelsKey(jobId: string, batch: number): string {
  return `${jobId}.b${batch}`;
}

export function batchObjectName(jobId: string, batch: number): string {
  return `${jobId}/batch-${String(batch).padStart(6, "0")}.json`;
}

export async function destroyJobStore(store: JobStore): Promise<void> {
  await Promise.allSettled([
    store.jobs.destroy(),
    store.labels.destroy(),
    store.counters.destroy(),
    store.batches.destroy(),
    store.results.destroy(),
    store.queue.destroy(),
    store.bus.kv(`${store.prefix}-cache`).then((kv) => kv.destroy()),
  ]);
}
