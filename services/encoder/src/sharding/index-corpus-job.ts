/**
 * The coordinator of a sharded indexing job (IndexCorpus). It plans the job: streams the corpus into shards
 * (each shard's documents stored as an object as soon as it is full), stores the plan, publishes one
 * work-queue job per shard (id `<job>:<shard>:<call>`, so a publish retried by this call does not enqueue a
 * shard twice) and writes the job record. From then on the job no longer needs it: the worker that records
 * the last shard triggers the assembly, which any replica runs (assemble-index.ts) and which publishes the
 * index to the artifact store. The coordinator only follows the records for progress, waits for the job
 * record to turn succeeded, and fetches the published index into `outDir`.
 *
 * Calling it again with the same job id resumes a running job (recorded shards are not encoded again; the
 * corpus is not read again) or, once the job has succeeded, returns its index at once. A job that failed is
 * planned again from scratch.
 */
import { randomUUID } from "node:crypto";
import type { Bus, QueueOptions } from "@ferret/bus";
import type { DocumentRecord } from "@ferret/datasets";
import { AlreadyExistsError, ConflictError, FerretError, type ErrorCode } from "@ferret/errors";
import { fetchedBundle, fetchIndexBundle } from "../artifacts/index-bundle.js";
import { chooseIndexKind, type IndexKind } from "../vector-index/create-index.js";
import type { HnswOptions } from "../vector-index/hnsw-index.js";
import type { IndexManifest } from "../vector-index/index-store.js";
import { readJobPlan } from "./assemble-index.js";
import type { IndexResult, JobModel, JobPlan, JobRecord } from "./job-record.js";
import { planShards } from "./plan-shards.js";
import {
  DEFAULT_SHARD_JOB_NAMES,
  assembleMessageId,
  checkShardJobId,
  planObjectName,
  shardKey,
  type EncoderQueueMessage,
  type ShardJobNames,
  type ShardRecord,
} from "./shard-job.js";

export const DEFAULT_SHARD_SIZE = 512;

export interface IndexCorpusJobOptions {
  bus: Bus;
  jobId: string;
  /** Read only when the job is planned (not when resuming or returning a finished job). */
  documents: Iterable<DocumentRecord> | AsyncIterable<DocumentRecord>;
  /** How errors name the corpus (e.g. "corpus artifact b/corpus.jsonl"). */
  source?: string;
  /** `dir` is recorded in the manifest (the default model of a later search). */
  model: JobModel;
  /** Where the finished index is fetched to. */
  outDir: string;
  /** Index name: the published objects' prefix (default: the collection, else "index"). */
  index?: string;
  shardSize?: number;
  kind?: IndexKind;
  hnsw?: HnswOptions;
  collection?: string;
  names?: Partial<ShardJobNames>;
  queueOptions?: QueueOptions;
  signal?: AbortSignal;
}

export interface IndexCorpusProgress {
  state: "queued" | "running" | "succeeded";
  shards: number;
  shardsDone: number;
  documents: number;
  documentsDone: number;
  /** With "succeeded". */
  manifest?: IndexManifest;
  /** With "succeeded": the published index (bundle and files). */
  result?: IndexResult;
}

/** A job that failed on the replica that assembled it; carries that failure's code. */
export class IndexJobFailedError extends FerretError {
  constructor(jobId: string, error: { code: string; message: string }) {
    super(error.code as ErrorCode, `index job ${jobId} failed: ${error.message}`);
  }
}

function checkSameJob(record: JobRecord, index: string, model: JobModel): void {
  if (record.index !== index || record.modelFingerprint !== model.fingerprint) {
    throw new ConflictError(
      `job ${record.jobId} builds index "${record.index}" with model ${record.modelFingerprint.slice(0, 12)}…, ` +
        `not "${index}" with ${model.fingerprint.slice(0, 12)}…: use another job id`,
    );
  }
}

export async function* runIndexCorpusJob(o: IndexCorpusJobOptions): AsyncGenerator<IndexCorpusProgress> {
  const { bus } = o;
  const jobId = checkShardJobId(o.jobId);
  const names = { ...DEFAULT_SHARD_JOB_NAMES, ...o.names };
  const index = o.index ?? o.collection ?? "index";
  const queue = await bus.queue<EncoderQueueMessage>(names.queue, o.queueOptions);
  const records = await bus.kv<ShardRecord>(names.recordsBucket);
  const jobs = await bus.kv<JobRecord>(names.jobsBucket);
  const objects = await bus.objects(names.objectsBucket);
  // Message ids are `<job>:<shard>:<call>`: a publish retried within this call is deduplicated, while a later
  // call resuming the job does enqueue its missing shards. A shard queued twice is still recorded once.
  const run = randomUUID().slice(0, 8);

  let entry = await jobs.get(jobId);
  if (entry !== undefined) checkSameJob(entry.value, index, o.model);
  if (entry?.value.state === "failed") {
    // plan it again from scratch: drop the failed attempt's shard state
    for (const key of await records.keys(`${jobId}.*`)) await records.delete(key);
    await jobs.delete(jobId, { revision: entry.revision });
    entry = undefined;
  }

  let job: JobRecord;
  let plan: JobPlan | undefined;
  if (entry === undefined) {
    let shards;
    try {
      shards = await planShards(o.documents, {
        jobId,
        shardSize: o.shardSize ?? DEFAULT_SHARD_SIZE,
        objects,
        source: o.source ?? "<corpus>",
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      // a corpus that fails to read (bad line, corrupt download) leaves no shard inputs behind
      for (const info of await objects.list()) {
        if (info.name.startsWith(`${jobId}.`)) await objects.delete(info.name).catch(() => undefined);
      }
      throw err;
    }
    const documents = shards.reduce((n, s) => n + s.documents, 0);
    plan = {
      jobId,
      index,
      ...(o.collection === undefined ? {} : { collection: o.collection }),
      model: o.model,
      kind: chooseIndexKind(o.kind ?? "auto", documents),
      ...(o.hnsw === undefined ? {} : { hnsw: o.hnsw }),
      documents,
      shards,
    };
    const planInfo = await objects.put(
      planObjectName(jobId),
      new TextEncoder().encode(JSON.stringify(plan)),
      {
        metadata: { job: jobId },
      },
    );
    job = {
      jobId,
      state: "running",
      index,
      modelFingerprint: o.model.fingerprint,
      shards: shards.length,
      documents,
      plan: { object: planObjectName(jobId), sha256: planInfo.sha256 },
      createdAt: new Date().toISOString(),
    };
    // shards first, then the record: a job is either fully queued or absent (a re-call plans it again)
    await publishShards(plan);
    try {
      await jobs.create(jobId, job);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      job = (await jobs.get(jobId))!.value; // a concurrent call with the same job id planned it too
      checkSameJob(job, index, o.model);
    }
  } else {
    job = entry.value;
    if (job.state === "running") {
      plan = await readJobPlan(bus, names, job);
      await publishShards(plan);
    }
  }

  async function publishShards(p: JobPlan): Promise<void> {
    for (const [shard, s] of p.shards.entries()) {
      if ((await records.get(shardKey(jobId, shard))) !== undefined) continue;
      await queue.publish(
        {
          type: "shard",
          jobId,
          shard,
          model: p.model.name,
          variant: p.model.variant,
          fingerprint: p.model.fingerprint,
          input: s.input,
          inputSha256: s.inputSha256,
          documents: s.documents,
        },
        { id: `${jobId}:${shard}:${run}` },
      );
    }
  }

  const recorded = new Map<number, number>();
  let state: JobRecord = job;
  let wake: (() => void) | undefined;
  const recordWatch = await records.watch(`${jobId}.*`, (change) => {
    if (change.operation === "put" && change.value !== undefined)
      recorded.set(change.value.shard, change.value.documents);
    wake?.();
  });
  const jobWatch = await jobs.watch(jobId, (change) => {
    if (change.operation === "put" && change.value !== undefined) state = change.value;
    wake?.();
  });
  try {
    const progress = (s: IndexCorpusProgress["state"]): IndexCorpusProgress => ({
      state: s,
      shards: job.shards,
      shardsDone: s === "succeeded" ? job.shards : recorded.size,
      documents: job.documents,
      documentsDone: s === "succeeded" ? job.documents : [...recorded.values()].reduce((n, d) => n + d, 0),
    });
    if (state.state === "running") yield progress("queued");
    let reported = -1;
    let assembleAsked = false;
    while (state.state === "running") {
      if (recorded.size !== reported) {
        reported = recorded.size;
        if (reported > 0) yield progress("running");
      }
      if (!assembleAsked && recorded.size >= job.shards) {
        // the worker that recorded the last shard asks too; this covers shards recorded before the record
        assembleAsked = true;
        await queue.publish({ type: "assemble", jobId }, { id: assembleMessageId(jobId, job.createdAt) });
      }
      o.signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        wake = resolve;
        const timer = setTimeout(resolve, 1000);
        o.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
      wake = undefined;
    }
    const final = state;
    if (final.state === "failed" || final.result === undefined) {
      throw new IndexJobFailedError(
        jobId,
        final.error ?? { code: "INTERNAL", message: "no result recorded" },
      );
    }
    if ((await fetchedBundle(o.outDir)) !== final.result.bundle.sha256) {
      await fetchIndexBundle(bus, final.result.bundle, o.outDir, o.signal);
    }
    yield { ...progress("succeeded"), manifest: final.result.manifest, result: final.result };
  } finally {
    await recordWatch.stop();
    await jobWatch.stop();
  }
}
