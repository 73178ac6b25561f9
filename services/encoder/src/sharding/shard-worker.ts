/**
 * The shard worker every encoder replica runs: takes shards of an indexing job from the work queue, embeds
 * their documents and records each shard's vectors exactly once, however often it is delivered, on the
 * job runtime (@ferret/jobs consumeJobs and runBatch).
 *
 * Exactly-once on an at-least-once queue: a delivery whose shard is in the ledger acks without encoding (a
 * previous worker recorded it and died before acking). Otherwise it writes its vectors under an object name
 * unique to the delivery, then claims the shard with create-if-absent; a delivery that loses that race (two
 * deliveries running at once after an ack-wait expiry) deletes its own object and acks. A worker killed
 * before the claim leaves at most an unreferenced object (removed by the assembly) and the bus redelivers
 * the shard after its ack wait. Each shard is counted once in the job's progress.
 *
 * Assembly does not depend on the coordinator: the delivery that sees every shard counted publishes the
 * job's AssembleMessage (dedup id `<job>:assemble:<planned at>`) before it acks; any replica's worker then
 * assembles (assemble-index.ts). A worker killed between counting the last shard and publishing leaves that
 * shard unacked, and its redelivery publishes. A message of a job that has ended is acked without work, and
 * a shard or assembly the bus gives up (a permanent error, or its deliveries used up) fails the job.
 */
import { hostname, tmpdir } from "node:os";
import { isRetryable, NonRetryableError, type Bus, type Job, type QueueOptions } from "@ferret/bus";
import { ConflictError } from "@ferret/errors";
import type { BiEncoder } from "@ferret/inference";
import { consumeJobs, runBatch } from "@ferret/jobs";
import { silentLogger, type Logger } from "@ferret/logging";
import { assembleJob, type AssembleOutcome } from "./assemble-index.js";
import { openIndexJobStores } from "./index-job-stores.js";
import type { JobRecord } from "./job-record.js";
import {
  DEFAULT_SHARD_JOB_NAMES,
  SHARD_RECORDED_EVENT,
  assembleMessageId,
  decodeShardInput,
  encodeShardVectors,
  shardVectorsName,
  type AssembleMessage,
  type EncoderQueueMessage,
  type ShardJobNames,
  type ShardMessage,
  type ShardRecord,
} from "./shard-job.js";

/** The encoder for a shard's model; the worker does not close what it gets. */
export type ShardEncoderResolver = (message: ShardMessage) => Promise<BiEncoder>;

export interface ShardWorkerOptions {
  bus: Bus;
  encoders: ShardEncoderResolver;
  names?: Partial<ShardJobNames>;
  /** Give the coordinator the same options (the last to open a queue sets them). */
  queueOptions?: QueueOptions;
  /** Documents per embed call; the worker calls job.working() after each. Default 64. */
  chunkSize?: number;
  /** Worker name in records (default host:pid). */
  worker?: string;
  /** Scratch directory for assemblies (default: the OS temp directory). */
  workDir?: string;
  logger?: Logger;
  metrics?: ShardWorkerMetrics;
}

/** What the worker reports (the encoder's Prometheus metrics implement it). */
export interface ShardWorkerMetrics {
  shardFinished(outcome: "recorded" | "skipped" | "lost-race" | "failed", documents: number): void;
  assembled(outcome: AssembleOutcome | "failed", seconds: number): void;
}

export interface ShardWorkerStats {
  recorded: number;
  /** Deliveries acked without encoding because the shard was already recorded. */
  skipped: number;
  /** Shards encoded whose record another delivery had written first. */
  lostRaces: number;
  failed: number;
  /** Assemblies this worker ran to the claim (not duplicates that found the job done). */
  assembled: number;
}

export interface ShardWorker {
  stats(): ShardWorkerStats;
  stop(options?: { graceMs?: number }): Promise<void>;
}

/** A permanent failure goes to the bus as one (given up at once); anything else is retried. */
function forBus(err: unknown): unknown {
  return isRetryable(err)
    ? err
    : new NonRetryableError(err instanceof Error ? err.message : String(err), { cause: err });
}

export async function startShardWorker(options: ShardWorkerOptions): Promise<ShardWorker> {
  const { bus } = options;
  const names = { ...DEFAULT_SHARD_JOB_NAMES, ...options.names };
  const logger = (options.logger ?? silentLogger()).child({ component: "shard-worker" });
  const worker = options.worker ?? `${hostname()}:${process.pid}`;
  const chunkSize = options.chunkSize ?? 64;
  const queue = await bus.queue<EncoderQueueMessage>(names.queue, options.queueOptions);
  const { jobs, shards } = await openIndexJobStores(bus, names);
  const objects = await bus.objects(names.objectsBucket);
  const stats: ShardWorkerStats = { recorded: 0, skipped: 0, lostRaces: 0, failed: 0, assembled: 0 };
  const metrics = options.metrics;

  /** Publishes the job's assemble message (idempotent, deduplicated per planning of the job). */
  async function requestAssembly(record: JobRecord): Promise<void> {
    await queue.publish(
      { type: "assemble", jobId: record.jobId },
      { id: assembleMessageId(record.jobId, record.createdAt) },
    );
  }

  async function handleAssemble(job: Job<AssembleMessage>): Promise<void> {
    const started = performance.now();
    const log = logger.child({ job: job.data.jobId, delivery: job.deliveryCount });
    try {
      const { outcome } = await assembleJob(
        {
          bus,
          names,
          workDir: options.workDir ?? tmpdir(),
          worker,
          logger,
          working: () => {
            job.working();
            if (job.signal.aborted) throw new Error("delivery given up (ack wait passed or worker stopping)");
          },
        },
        job.data.jobId,
      );
      if (outcome === "assembled") stats.assembled++;
      metrics?.assembled(outcome, (performance.now() - started) / 1000);
      log.info({ outcome }, "assemble message handled");
    } catch (err) {
      metrics?.assembled("failed", (performance.now() - started) / 1000);
      log.warn({ err }, "assembly failed");
      throw forBus(err);
    }
  }

  async function handleShard(job: Job<ShardMessage>, record: JobRecord): Promise<void> {
    const m = job.data;
    const log = logger.child({ job: m.jobId, shard: m.shard, delivery: job.deliveryCount });
    if (record.result !== undefined) {
      // an assembly has claimed the job: every shard was recorded, and its state may be gone already
      stats.skipped++;
      metrics?.shardFinished("skipped", 0);
      return;
    }
    let written: string | undefined;
    try {
      const run = await runBatch(jobs, shards, {
        jobId: m.jobId,
        batch: m.shard,
        compute: async (): Promise<ShardRecord> => {
          const encoder = await options.encoders(m);
          const fingerprint = await encoder.fingerprint();
          if (fingerprint !== m.fingerprint) {
            // another replica may hold the right model (e.g. during a rollout): retry there
            throw new ConflictError(
              `shard asks for model ${m.model} ${m.fingerprint.slice(0, 12)}…; this worker has ${fingerprint.slice(0, 12)}…`,
            );
          }
          const docs = decodeShardInput(await objects.getBytes(m.input, { expectedSha256: m.inputSha256 }));
          const dim = encoder.dimension;
          const vectors = new Float32Array(docs.length * dim);
          for (let start = 0; start < docs.length; start += chunkSize) {
            const chunk = docs.slice(start, start + chunkSize);
            vectors.set(
              await encoder.embedMatrix(
                chunk.map((d) => d[1]),
                "document",
              ),
              start * dim,
            );
            job.working();
            if (job.signal.aborted) throw new Error("delivery given up (ack wait passed or worker stopping)");
          }
          const ids = docs.map((d) => d[0]);
          const object = shardVectorsName(m.jobId, m.shard, worker, job.deliveryCount);
          const info = await objects.put(object, encodeShardVectors(ids, dim, vectors), {
            metadata: { job: m.jobId, shard: String(m.shard) },
          });
          written = object;
          return {
            shard: m.shard,
            documents: ids.length,
            object,
            sha256: info.sha256,
            fingerprint,
            worker,
            deliveryCount: job.deliveryCount,
          };
        },
        counts: (shard) => ({ documents: shard.documents }),
      });
      if (run.outcome === "skipped") {
        stats.skipped++;
        metrics?.shardFinished("skipped", 0);
        log.info("shard already recorded; acking without encoding");
      } else if (run.outcome === "lost-race") {
        stats.lostRaces++;
        metrics?.shardFinished("lost-race", 0);
        if (written !== undefined) await objects.delete(written);
        log.info("another delivery recorded this shard first; keeping its vectors");
      } else {
        stats.recorded++;
        metrics?.shardFinished("recorded", run.output.documents);
        await bus.events
          .publish(SHARD_RECORDED_EVENT, { jobId: m.jobId, shard: m.shard, documents: run.output.documents })
          .catch((err: unknown) => log.warn({ err }, "could not publish shard progress"));
      }
      if (run.complete) await requestAssembly(run.record);
    } catch (err) {
      stats.failed++;
      metrics?.shardFinished("failed", 0);
      log.warn({ err }, "shard failed");
      throw forBus(err);
    }
  }

  const consumer = consumeJobs(queue, {
    jobs,
    jobIdOf: (message) => message.data.jobId,
    handle: (message, record) =>
      message.data.type === "assemble"
        ? handleAssemble(message as Job<AssembleMessage>)
        : handleShard(message as Job<ShardMessage>, record),
    // a duplicated or redelivered assemble of a finished job: nothing to do
    onSkipped: (record, message) => {
      if (message.data.type === "assemble" && record.state === "succeeded")
        metrics?.assembled("already-assembled", 0);
    },
    logger,
  });
  return { stats: () => ({ ...stats }), stop: (opts) => consumer.stop(opts) };
}
