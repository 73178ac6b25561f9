/**
 * Assembly of a sharded indexing job, run by whichever replica takes the job's AssembleMessage: shards in
 * order, each shard's vectors checked against its plan (ids digest, count, model fingerprint; an id seen in
 * an earlier shard is refused), saved with the manifest, uploaded to the indexes bucket under a prefix
 * unique to this attempt, and then claimed with a compare-and-set of the job record (its result written
 * while the job runs).
 *
 * Idempotent: a redelivered or duplicated assemble either finds the job succeeded (nothing to do), finds it
 * claimed but not finished (and runs the idempotent finish: event with a dedup id, cleanup, succeeded), or
 * loses the claim to the one that got there first and deletes its own upload, so every reader sees the one
 * index the record names. Once claimed: event "corpus.indexed", then the shard inputs, vectors, plan and
 * records are deleted, then the job is marked succeeded.
 */
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { NonRetryableError, type Bus } from "@ferret/bus";
import { InternalError } from "@ferret/errors";
import { isFinal, type JobStore } from "@ferret/jobs";
import { silentLogger, type Logger } from "@ferret/logging";
import { CorpusIndexed } from "@ferret/proto";
import { publishIndexDir } from "../artifacts/index-bundle.js";
import { ExactIndex } from "../vector-index/exact-index.js";
import { HnswIndex } from "../vector-index/hnsw-index.js";
import { saveDenseIndex } from "../vector-index/index-store.js";
import { openIndexJobStores } from "./index-job-stores.js";
import {
  idsDigest,
  type IndexJobSpec,
  type IndexResult,
  type JobPlan,
  type JobRecord,
} from "./job-record.js";
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
  const { plan } = record.spec;
  const bytes = await objects.getBytes(plan.object, { expectedSha256: plan.sha256 });
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
 * Finishes a claimed job (its result recorded): publishes the completion event (deduplicated by job and
 * bundle), deletes the job's shard state, then marks the job succeeded. Every step is idempotent, so an
 * assembly that died after its claim is finished by the next delivery; a succeeded job is left as it is.
 */
export async function finishJob(
  bus: Bus,
  names: ShardJobNames,
  jobs: JobStore<IndexJobSpec, IndexResult>,
  record: JobRecord,
): Promise<JobRecord> {
  const result = record.result;
  if (result === undefined || isFinal(record.state)) return record;
  const event = CorpusIndexed.toJSON({
    corpus: result.manifest.collection ?? record.spec.index,
    indexKind: "dense",
    index: result.bundle,
    model: { name: result.manifest.modelName, version: "", artifact: undefined },
    documents: record.spec.documents,
    at: new Date(result.at),
    job: { jobId: record.jobId, kind: "encode.index" },
    indexName: record.spec.index,
    modelFingerprint: record.spec.modelFingerprint,
  }) as Record<string, unknown>;
  await bus.events.publish(INDEX_COMPLETED_EVENT, event, {
    id: `${INDEX_COMPLETED_EVENT}.${record.jobId}.${result.bundle.sha256.slice(0, 16)}`,
  });
  const objects = await bus.objects(names.objectsBucket);
  for (const info of await objects.list()) {
    if (info.name.startsWith(`${record.jobId}.`)) await objects.delete(info.name);
  }
  const { shards } = await openIndexJobStores(bus, names);
  await shards.clear(record.jobId);
  return jobs.succeed(record.jobId, result);
}

export async function assembleJob(
  ctx: AssembleContext,
  jobId: string,
): Promise<{ outcome: AssembleOutcome; record?: JobRecord }> {
  const { bus, names } = ctx;
  const log = (ctx.logger ?? silentLogger()).child({ component: "assemble", job: jobId });
  const { jobs, shards } = await openIndexJobStores(bus, names);
  const record = await jobs.get(jobId);
  if (record === undefined) return { outcome: "no-job" };
  if (record.state === "failed" || record.state === "cancelled") return { outcome: "failed-job", record };
  if (record.state === "succeeded") return { outcome: "already-assembled", record };
  if (record.result !== undefined) {
    // claimed by an assembly that did not get to the end
    return { outcome: "already-assembled", record: await finishJob(bus, names, jobs, record) };
  }
  const plan = await readJobPlan(bus, names, record);
  const recorded = new Map<number, ShardRecord>();
  for (let shard = 0; shard < plan.shards.length; shard++) {
    const r = await shards.get(jobId, shard);
    if (r !== undefined) recorded.set(shard, r);
  }
  if (recorded.size < plan.shards.length) {
    log.info({ recorded: recorded.size, shards: plan.shards.length }, "not every shard is recorded yet");
    return { outcome: "incomplete", record };
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
      await jobs.fail(jobId, err).catch(() => undefined);
      log.error({ err }, "the job cannot be assembled; marked failed");
      throw new NonRetryableError(err.message, { cause: err, code: err.code });
    }
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // the claim: the first result written while the job runs is THE index
  const claimed = await jobs.update(jobId, (r) =>
    isFinal(r.state) || r.result !== undefined ? undefined : { ...r, result },
  );
  if (claimed.result?.bundle.name !== result.bundle.name) {
    // whoever claimed first wins; our upload is never referenced, so it goes
    for (const f of [result.bundle, ...result.files]) await indexes.delete(f.name);
    log.info("another assembly claimed the job first; dropped this one's upload");
    return { outcome: "lost-race", record: await finishJob(bus, names, jobs, claimed) };
  }
  log.info({ bundle: result.bundle.name, documents: plan.documents }, "index assembled and published");
  return { outcome: "assembled", record: await finishJob(bus, names, jobs, claimed) };
}
