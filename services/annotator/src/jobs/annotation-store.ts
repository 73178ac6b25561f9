/**
 * Where annotation jobs live on the bus, shared by every replica: job records (@ferret/jobs JobStore),
 * the work queue of batch messages (items inline, or in the batches object store when large), one
 * ledger entry per finished batch (@ferret/jobs BatchLedger: create-if-absent, so a redelivered batch
 * can never write twice), the outcome cache, and the results object store (each finished job's labels
 * dataset). All names derive from one prefix so tests and tenants can keep theirs apart.
 */
import type { Bus, ObjectStore, WorkQueue } from "@ferret/bus";
import { BatchLedger, JobStore } from "@ferret/jobs";
import { KvOutcomeCache } from "../label-cache.js";
import type { AnnotationResult, AnnotationSpec, BatchLabels, BatchMessage } from "./job-types.js";

export interface AnnotationStoreOptions {
  /** Prefix of every queue/bucket name ([A-Za-z0-9_-]). Default "annotator". */
  prefix?: string;
  /** Ack wait of batch deliveries; workers renew it while a batch runs. Default 60 s. */
  ackWaitMs?: number;
  /** Deliveries of a batch before its job fails. Default: the bus's. */
  maxDeliveries?: number;
}

export interface AnnotationStore {
  readonly bus: Bus;
  readonly prefix: string;
  readonly ackWaitMs: number;
  jobs: JobStore<AnnotationSpec, AnnotationResult>;
  /** `<job>.<batch>` -> the labels of a finished batch. */
  ledger: BatchLedger<BatchLabels>;
  cache: KvOutcomeCache;
  /** Batches too large to travel inline in their queue message. */
  batches: ObjectStore;
  /** `<job>/labels.jsonl` and `<job>/qrels.trec` of finished jobs (bucket `${prefix}-results`). */
  results: ObjectStore;
  queue: WorkQueue<BatchMessage>;
}

export async function openAnnotationStore(
  bus: Bus,
  options: AnnotationStoreOptions = {},
): Promise<AnnotationStore> {
  const prefix = options.prefix ?? "annotator";
  const ackWaitMs = options.ackWaitMs ?? 60_000;
  const [jobs, ledger, cacheKv, batches, results, queue] = await Promise.all([
    JobStore.open<AnnotationSpec, AnnotationResult>(bus, { bucket: `${prefix}-jobs`, kind: "annotate" }),
    BatchLedger.open<BatchLabels>(bus, `${prefix}-labels`),
    bus.kv(`${prefix}-cache`, { codec: "bytes" }),
    bus.objects(`${prefix}-batches`),
    bus.objects(`${prefix}-results`),
    bus.queue<BatchMessage>(`${prefix}-batches`, {
      ackWaitMs,
      ...(options.maxDeliveries === undefined ? {} : { maxDeliveries: options.maxDeliveries }),
      backoff: { initialMs: 1000, maxMs: 30_000 },
    }),
  ]);
  return {
    bus,
    prefix,
    ackWaitMs,
    jobs,
    ledger,
    cache: new KvOutcomeCache(cacheKv, `${prefix}-cache`),
    batches,
    results,
    queue,
  };
}

export function batchObjectName(jobId: string, batch: number): string {
  return `${jobId}/batch-${String(batch).padStart(6, "0")}.json`;
}

export async function destroyAnnotationStore(store: AnnotationStore): Promise<void> {
  await Promise.allSettled([
    store.jobs.kv.destroy(),
    store.ledger.kv.destroy(),
    store.batches.destroy(),
    store.results.destroy(),
    store.queue.destroy(),
    store.bus.kv(`${store.prefix}-cache`).then((kv) => kv.destroy()),
  ]);
}
