/**
 * Assembly of a sharded indexing job, run by whichever replica takes the job's AssembleMessage: shards in
 * order, each shard's vectors checked against its plan (ids digest, count, model fingerprint; an id seen in
 * an earlier shard is refused), saved with the manifest, uploaded to the indexes bucket under a prefix
 * unique to this attempt, and then claimed with a compare-and-set of the job record (running → succeeded).
 *
 * Idempotent: a redelivered or duplicated assemble either finds the job succeeded (and only re-runs the
 * idempotent finish: event with a dedup id, cleanup) or loses the claim to the one that got there first and
 * deletes its own upload, so every reader sees the one index the record names. Once claimed: event
 * "corpus.indexed", then the shard inputs, vectors, plan and records are deleted.
 */
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { NonRetryableError, type Bus, type KvStore } from "@ferret/bus";
import { ConflictError, InternalError, isFerretError } from "@ferret/errors";
import { silentLogger, type Logger } from "@ferret/logging";
import { CorpusIndexed } from "@ferret/proto";
import { publishIndexDir } from "../artifacts/index-bundle.js";
import { ExactIndex } from "../vector-index/exact-index.js";
import { HnswIndex } from "../vector-index/hnsw-index.js";
import { saveDenseIndex } from "../vector-index/index-store.js";
import { idsDigest, type IndexResult, type JobPlan, type JobRecord } from "./job-record.js";
import {
  INDEX_COMPLETED_EVENT,
  decodeShardVectors,
  type ShardJobNames,
  type ShardRecord,
} from "./shard-job.js";

export interface AssembleContext {
  bus: Bus;
  names: ShardJobNames;
  /** Local scratch directory for the index being built. */
  workDir: string;
  /** Who assembles (host:pid), recorded in the result. */
  worker: string;
  logger?: Logger;
  /** Called as work progresses (keeps a work-queue delivery alive). */
  working?: () => void;
}

export type AssembleOutcome =
  | "assembled"
  | "already-assembled"
  | "lost-race"
  | "no-job"
  | "failed-job"
  /** Not every shard is recorded (a stale message from an earlier planning): the last shard asks again. */
  | "incomplete";

/** Thrown for shards that can never assemble (wrong ids or model): the job is marked failed. */
export class ShardIntegrityError extends InternalError {}

export async function readJobPlan(bus: Bus, names: ShardJobNames, record: JobRecord): Promise<JobPlan> {
  const objects = await bus.objects(names.objectsBucket);
  const bytes = await objects.getBytes(record.plan.object, { expectedSha256: record.plan.sha256 });
  return JSON.parse(new TextDecoder().decode(bytes)) as JobPlan;
}

async function buildIndex(
  ctx: AssembleContext,
  plan: JobPlan,
  recorded: Map<number, ShardRecord>,
  dir: string,
): Promise<void> {
  const objects = await ctx.bus.objects(ctx.names.objectsBucket);
  const dim = plan.model.dimension;
  const exact = new ExactIndex(dim);
  const hnsw = plan.kind === "hnsw" ? new HnswIndex(dim, plan.hnsw) : undefined;
  for (const [shard, expected] of plan.shards.entries()) {
    const record = recorded.get(shard);
    if (record === undefined) throw new InternalError(`shard ${shard} of job ${plan.jobId} is not recorded`);
    if (record.fingerprint !== plan.model.fingerprint) {
      throw new ShardIntegrityError(
        `shard ${shard} of job ${plan.jobId} was encoded by another model (${record.fingerprint.slice(0, 12)}…)`,
      );
    }
    const got = decodeShardVectors(await objects.getBytes(record.object, { expectedSha256: record.sha256 }));
    if (
      got.dimension !== dim ||
      got.ids.length !== expected.documents ||
      idsDigest(got.ids) !== expected.idsSha256
    ) {
      throw new ShardIntegrityError(
        `shard ${shard} of job ${plan.jobId}: its vectors do not carry the shard's document ids`,
      );
    }
    try {
      exact.add(got.ids, got.vectors); // throws on an id seen in an earlier shard
    } catch (err) {
      throw new ShardIntegrityError(`shard ${shard} of job ${plan.jobId}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    hnsw?.add(got.ids, got.vectors);
    ctx.working?.();
  }
  if (exact.size !== plan.documents) {
    throw new ShardIntegrityError(`assembled ${exact.size} of ${plan.documents} documents`);
  }
  await exact.save(dir);
  await saveDenseIndex(dir, hnsw ?? exact, {
    modelFingerprint: plan.model.fingerprint,
    modelName: plan.model.name,
    modelVariant: plan.model.variant,
    ...(plan.model.dir === undefined ? {} : { modelDir: plan.model.dir }),
    ...(plan.collection === undefined ? {} : { collection: plan.collection }),
  });
}

/**
 * Publishes the completion event (deduplicated by job and bundle) and deletes the job's shard state, once:
 * the record is then marked finished, so a later duplicate or redelivered assemble publishes nothing (live
 * subscribers would see a second event even when the stream drops it as a duplicate).
 */
export async function finishJob(bus: Bus, names: ShardJobNames, jobId: string): Promise<void> {
  const jobs = await bus.kv<JobRecord>(names.jobsBucket);
  const entry = await jobs.get(jobId);
  const record = entry?.value;
  const result = record?.result;
  if (entry === undefined || record === undefined || result === undefined || record.finished === true) return;
  const event = CorpusIndexed.toJSON({
    corpus: result.manifest.collection ?? record.index,
    indexKind: "dense",
    index: result.bundle,
    model: { name: result.manifest.modelName, version: "", artifact: undefined },
    documents: record.documents,
    at: new Date(result.at),
    job: { jobId: record.jobId, kind: "encode.index" },
    indexName: record.index,
    modelFingerprint: record.modelFingerprint,
  }) as Record<string, unknown>;
  await bus.events.publish(INDEX_COMPLETED_EVENT, event, {
    id: `${INDEX_COMPLETED_EVENT}.${record.jobId}.${result.bundle.sha256.slice(0, 16)}`,
  });
  const objects = await bus.objects(names.objectsBucket);
  for (const info of await objects.list()) {
    if (info.name.startsWith(`${record.jobId}.`)) await objects.delete(info.name);
  }
  const records = await bus.kv<ShardRecord>(names.recordsBucket);
  for (const key of await records.keys(`${record.jobId}.*`)) await records.delete(key);
  try {
    await jobs.update(jobId, { ...record, finished: true }, entry.revision);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err; // a concurrent finish marked it
  }
}

export async function assembleJob(
  ctx: AssembleContext,
  jobId: string,
): Promise<{ outcome: AssembleOutcome; record?: JobRecord }> {
  const { bus, names } = ctx;
  const log = (ctx.logger ?? silentLogger()).child({ component: "assemble", job: jobId });
  const jobs = await bus.kv<JobRecord>(names.jobsBucket);
  const entry = await jobs.get(jobId);
  if (entry === undefined) return { outcome: "no-job" };
  if (entry.value.state === "failed") return { outcome: "failed-job", record: entry.value };
  if (entry.value.state === "succeeded") {
    await finishJob(bus, names, jobId);
    return { outcome: "already-assembled", record: entry.value };
  }
  const plan = await readJobPlan(bus, names, entry.value);
  const records = await bus.kv<ShardRecord>(names.recordsBucket);
  const recorded = new Map<number, ShardRecord>();
  for (const key of await records.keys(`${jobId}.*`)) {
    const r = await records.get(key);
    if (r !== undefined) recorded.set(r.value.shard, r.value);
  }
  if (plan.shards.some((_, shard) => !recorded.has(shard))) {
    log.info({ recorded: recorded.size, shards: plan.shards.length }, "not every shard is recorded yet");
    return { outcome: "incomplete", record: entry.value };
  }
  const attempt = randomUUID().slice(0, 8);
  const dir = join(ctx.workDir, `${jobId}.${attempt}`);
  const indexes = await bus.objects(names.indexesBucket);
  const prefix = `${plan.index}/${plan.model.fingerprint.slice(0, 16)}/${jobId}/${attempt}`;
  let result: IndexResult;
  try {
    await buildIndex(ctx, plan, recorded, dir);
    const published = await publishIndexDir(indexes, dir, prefix, { index: plan.index, jobId }, ctx.working);
    result = { ...published, assembledBy: ctx.worker, at: new Date().toISOString() };
  } catch (err) {
    if (err instanceof ShardIntegrityError) {
      await failJob(jobs, entry.value, entry.revision, err).catch(() => undefined);
      log.error({ err }, "the job cannot be assembled; marked failed");
      throw new NonRetryableError(err.message, { cause: err, code: err.code });
    }
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const succeeded: JobRecord = { ...entry.value, state: "succeeded", result };
  try {
    await jobs.update(jobId, succeeded, entry.revision);
  } catch (err) {
    const now = await jobs.get(jobId);
    // whoever claimed first wins; our upload is never referenced, so it goes
    for (const f of [result.bundle, ...result.files]) await indexes.delete(f.name);
    if (err instanceof ConflictError && now?.value.state === "succeeded") {
      log.info("another assembly claimed the job first; dropped this one's upload");
      await finishJob(bus, names, jobId);
      return { outcome: "lost-race", record: now.value };
    }
    throw err;
  }
  log.info({ bundle: result.bundle.name, documents: plan.documents }, "index assembled and published");
  await finishJob(bus, names, jobId);
  return { outcome: "assembled", record: succeeded };
}

/** Marks a running job failed (compare-and-set: a job another assembly finished stays succeeded). */
export async function failJob(
  jobs: KvStore<JobRecord>,
  record: JobRecord,
  revision: number,
  err: unknown,
): Promise<void> {
  const failed: JobRecord = {
    ...record,
    state: "failed",
    error: {
      code: isFerretError(err) ? err.code : "INTERNAL",
      message: err instanceof Error ? err.message : String(err),
    },
  };
  await jobs.update(record.jobId, failed, revision);
}

/** Marks job `jobId` failed if it is still running (its last assemble delivery gave up). */
export async function failRunningJob(
  bus: Bus,
  names: ShardJobNames,
  jobId: string,
  err: unknown,
): Promise<void> {
  const jobs = await bus.kv<JobRecord>(names.jobsBucket);
  const entry = await jobs.get(jobId);
  if (entry?.value.state === "running") await failJob(jobs, entry.value, entry.revision, err);
}
