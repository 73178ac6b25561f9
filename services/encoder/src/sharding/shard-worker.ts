/**
 * The shard worker every encoder replica runs: takes shards of an indexing job from the work queue, embeds
 * their documents and records each shard's vectors exactly once, however often it is delivered.
 *
 * Exactly-once on an at-least-once queue: a delivery first looks up the shard's KV key and acks without
 * encoding when it is there (a previous worker recorded it and died before acking). Otherwise it writes its
 * vectors under an object name unique to the delivery, then claims the shard with KV create-if-absent; a
 * delivery that loses that race (two deliveries running at once after an ack-wait expiry) deletes its own
 * object and acks. A worker killed before the claim leaves at most an unreferenced object (removed by the
 * assembly) and the bus redelivers the shard after its ack wait.
 *
 * Assembly does not depend on the coordinator: a delivery that records a shard, or finds it recorded, checks
 * whether every shard of the job is now recorded and, if so, publishes the job's AssembleMessage (dedup id
 * `<job>:assemble:<planned at>`) before it acks; any replica's worker then assembles (assemble-index.ts). A worker killed
 * between recording the last shard and publishing leaves that shard unacked, and its redelivery publishes.
 */
import { hostname, tmpdir } from "node:os";
import { isRetryable, NonRetryableError, type Bus, type Job, type QueueOptions } from "@ferret/bus";
import { AlreadyExistsError, ConflictError } from "@ferret/errors";
import type { BiEncoder } from "@ferret/inference";
import { silentLogger, type Logger } from "@ferret/logging";
import { assembleJob, failRunningJob, type AssembleOutcome } from "./assemble-index.js";
import type { JobRecord } from "./job-record.js";
import {
  DEFAULT_SHARD_JOB_NAMES,
  SHARD_RECORDED_EVENT,
  assembleMessageId,
  decodeShardInput,
  encodeShardVectors,
  shardKey,
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

export async function startShardWorker(options: ShardWorkerOptions): Promise<ShardWorker> {
  const { bus } = options;
  const names = { ...DEFAULT_SHARD_JOB_NAMES, ...options.names };
  const logger = (options.logger ?? silentLogger()).child({ component: "shard-worker" });
  const worker = options.worker ?? `${hostname()}:${process.pid}`;
  const chunkSize = options.chunkSize ?? 64;
  const queue = await bus.queue<EncoderQueueMessage>(names.queue, options.queueOptions);
  const records = await bus.kv<ShardRecord>(names.recordsBucket);
  const jobs = await bus.kv<JobRecord>(names.jobsBucket);
  const objects = await bus.objects(names.objectsBucket);
  const stats: ShardWorkerStats = { recorded: 0, skipped: 0, lostRaces: 0, failed: 0, assembled: 0 };
  const metrics = options.metrics;

  /** Publishes the job's assemble message once every shard is recorded (idempotent, deduplicated). */
  async function assembleIfComplete(jobId: string): Promise<void> {
    const record = await jobs.get(jobId);
    if (record === undefined || record.value.state !== "running") return;
    if ((await records.keys(`${jobId}.*`)).length < record.value.shards) return;
    await queue.publish(
      { type: "assemble", jobId },
      { id: assembleMessageId(jobId, record.value.createdAt) },
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
      if (!isRetryable(err) || job.deliveryCount >= (options.queueOptions?.maxDeliveries ?? 5)) {
        // no delivery will try again: fail the job, so its coordinator (if any) stops waiting
        await failRunningJob(bus, names, job.data.jobId, err).catch((e: unknown) =>
          log.warn({ err: e }, "could not mark the job failed"),
        );
      }
      throw isRetryable(err)
        ? err
        : new NonRetryableError(err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  async function handle(job: Job<EncoderQueueMessage>): Promise<void> {
    if (job.data.type === "assemble") return handleAssemble(job as Job<AssembleMessage>);
    const m = job.data;
    const log = logger.child({ job: m.jobId, shard: m.shard, delivery: job.deliveryCount });
    const key = shardKey(m.jobId, m.shard);
    try {
      if ((await records.get(key)) !== undefined) {
        stats.skipped++;
        metrics?.shardFinished("skipped", 0);
        log.info("shard already recorded; acking without encoding");
        await assembleIfComplete(m.jobId);
        return;
      }
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
      const record: ShardRecord = {
        shard: m.shard,
        documents: ids.length,
        object,
        sha256: info.sha256,
        fingerprint,
        worker,
        deliveryCount: job.deliveryCount,
      };
      try {
        await records.create(key, record);
        stats.recorded++;
        metrics?.shardFinished("recorded", ids.length);
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
        stats.lostRaces++;
        metrics?.shardFinished("lost-race", 0);
        await objects.delete(object);
        log.info("another delivery recorded this shard first; keeping its vectors");
        await assembleIfComplete(m.jobId);
        return;
      }
      await bus.events
        .publish(SHARD_RECORDED_EVENT, { jobId: m.jobId, shard: m.shard, documents: ids.length })
        .catch((err: unknown) => log.warn({ err }, "could not publish shard progress"));
      await assembleIfComplete(m.jobId);
    } catch (err) {
      stats.failed++;
      metrics?.shardFinished("failed", 0);
      log.warn({ err }, "shard failed");
      throw isRetryable(err)
        ? err
        : new NonRetryableError(err instanceof Error ? err.message : String(err), { cause: err });
    }
  }

  const consumer = queue.consume(handle, { concurrency: 1 });
  return { stats: () => ({ ...stats }), stop: (opts) => consumer.stop(opts) };
}
