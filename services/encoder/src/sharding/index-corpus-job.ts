/**
 * The coordinator of a sharded indexing job (IndexCorpus). It plans the job: streams the corpus into shards
 * (each shard's documents stored as an object as soon as it is full), stores the plan, writes the job
 * record (@ferret/jobs) and publishes one work-queue job per shard (id `<job>:<shard>:<call>`, so a publish
 * retried by this call does not enqueue a shard twice). From then on the job no longer needs it: the worker
 * that counts the last shard triggers the assembly, which any replica runs (assemble-index.ts) and which
 * publishes the index to the artifact store. The coordinator only watches the job record for progress until
 * it ends, and fetches the published index into `outDir` (or throws IndexJobFailedError with the job's
 * error: a shard or assembly the bus gave up).
 *
 * Calling it again with the same job id resumes a running job (recorded shards are not encoded again; the
 * corpus is not read again) or, once the job has succeeded, returns its index at once. A job that failed is
 * planned again from scratch.
 */
import { randomUUID } from "node:crypto";
import type { Bus, QueueOptions } from "@ferret/bus";
import type { DocumentRecord } from "@ferret/datasets";
import { ConflictError, FerretError, type ErrorCode } from "@ferret/errors";
import { checkJobId, isFinal } from "@ferret/jobs";
import { fetchedBundle, fetchIndexBundle } from "../artifacts/index-bundle.js";
import { chooseIndexKind, type IndexKind } from "../vector-index/create-index.js";
import type { HnswOptions } from "../vector-index/hnsw-index.js";
import type { IndexManifest } from "../vector-index/index-store.js";
import { readJobPlan } from "./assemble-index.js";
import { openIndexJobStores } from "./index-job-stores.js";
import type { IndexResult, JobModel, JobPlan, JobRecord } from "./job-record.js";
import { planShards } from "./plan-shards.js";
import {
  DEFAULT_SHARD_JOB_NAMES,
  assembleMessageId,
  planObjectName,
  type EncoderQueueMessage,
  type ShardJobNames,
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

/** A job that failed (a shard or the assembly given up); carries that failure's code. */
export class IndexJobFailedError extends FerretError {
  /** The job's own error (its message without the "index job ... failed" prefix). */
  readonly jobError: { code: string; message: string };

  constructor(jobId: string, error: { code: string; message: string }) {
    super(error.code as ErrorCode, `index job ${jobId} failed: ${error.message}`);
    this.jobError = error;
  }
}

function checkSameJob(record: JobRecord, index: string, model: JobModel): void {
  if (record.spec.index !== index || record.spec.modelFingerprint !== model.fingerprint) {
    throw new ConflictError(
      `job ${record.jobId} builds index "${record.spec.index}" with model ${record.spec.modelFingerprint.slice(0, 12)}…, ` +
        `not "${index}" with ${model.fingerprint.slice(0, 12)}…: use another job id`,
    );
  }
}

export async function* runIndexCorpusJob(o: IndexCorpusJobOptions): AsyncGenerator<IndexCorpusProgress> {
  const { bus } = o;
  const jobId = checkJobId(o.jobId);
  const names = { ...DEFAULT_SHARD_JOB_NAMES, ...o.names };
  const index = o.index ?? o.collection ?? "index";
  const queue = await bus.queue<EncoderQueueMessage>(names.queue, o.queueOptions);
  const { jobs, shards: ledger } = await openIndexJobStores(bus, names);
  const objects = await bus.objects(names.objectsBucket);
  // Message ids are `<job>:<shard>:<call>`: a publish retried within this call is deduplicated, while a later
  // call resuming the job does enqueue its missing shards. A shard queued twice is still recorded once.
  const run = randomUUID().slice(0, 8);

  let existing = await jobs.get(jobId);
  if (existing !== undefined) checkSameJob(existing, index, o.model);
  if (existing?.state === "failed" || existing?.state === "cancelled") {
    // plan it again from scratch: drop the failed attempt's shard state
    await ledger.clear(jobId);
    await jobs.remove(jobId);
    existing = undefined;
  }

  let job: JobRecord;
  if (existing === undefined) {
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
    const plan: JobPlan = {
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
    // the record before the shards: a worker takes a shard only for a job it can find. A call that dies
    // while publishing leaves a queued job that a call with the same id resumes.
    const created = await jobs.create(jobId, {
      spec: {
        index,
        modelFingerprint: o.model.fingerprint,
        shards: shards.length,
        documents,
        plan: { object: planObjectName(jobId), sha256: planInfo.sha256 },
      },
      total: shards.length,
      unit: "shards",
    });
    job = created.record;
    if (created.created) await publishShards(plan);
    else checkSameJob(job, index, o.model); // a concurrent call with the same job id planned it too
  } else {
    job = existing;
    if (!isFinal(job.state) && job.result === undefined)
      await publishShards(await readJobPlan(bus, names, job));
  }

  async function publishShards(p: JobPlan): Promise<void> {
    for (const [shard, s] of p.shards.entries()) {
      if ((await ledger.get(jobId, shard)) !== undefined) continue;
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

  const progress = (r: JobRecord, state: IndexCorpusProgress["state"]): IndexCorpusProgress => ({
    state,
    shards: r.spec.shards,
    shardsDone: state === "succeeded" ? r.spec.shards : r.progress.done,
    documents: r.spec.documents,
    documentsDone: state === "succeeded" ? r.spec.documents : (r.progress.counts["documents"] ?? 0),
  });
  let final: JobRecord | undefined;
  let reported = -1;
  let assembleAsked = false;
  for await (const r of jobs.watch(jobId, o.signal ? { signal: o.signal } : {})) {
    if (isFinal(r.state)) {
      final = r;
      break;
    }
    if (reported < 0) yield progress(r, "queued");
    if (r.progress.done !== reported) {
      reported = r.progress.done;
      if (reported > 0) yield progress(r, "running");
    }
    if (!assembleAsked && r.progress.done >= r.spec.shards) {
      // the worker that counted the last shard asks too; this covers one that died before it could
      assembleAsked = true;
      await queue.publish({ type: "assemble", jobId }, { id: assembleMessageId(jobId, r.createdAt) });
    }
  }
  o.signal?.throwIfAborted();
  if (final === undefined || final.state !== "succeeded" || final.result === undefined) {
    throw new IndexJobFailedError(
      jobId,
      final?.error ?? { code: "INTERNAL", message: `ended ${final?.state ?? "unwatched"} without a result` },
    );
  }
  if ((await fetchedBundle(o.outDir)) !== final.result.bundle.sha256) {
    await fetchIndexBundle(bus, final.result.bundle, o.outDir, o.signal);
  }
  yield { ...progress(final, "succeeded"), manifest: final.result.manifest, result: final.result };
}
