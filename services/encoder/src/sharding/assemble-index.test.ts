/**
 * Two assemblies of one job at once (a duplicated or redelivered assemble message) on the in-process bus:
 * the second builds and uploads too, but finds the job claimed when it tries to claim it. The interleaving
 * is forced with a fault-injection wrapper (competingClaimBus) that runs the first assembly to completion
 * just before the second one's compare-and-set. Expected: the first claims, the second reports a lost race
 * and deletes its upload, so the indexes bucket holds exactly the files of the one recorded bundle; one
 * completion event; a third assemble later finds the job finished and changes nothing. And a shard record
 * that points at another shard's vectors (rewritten in the real KV) fails the job for good: the assembly
 * refuses it, the record says failed, and the coordinator waiting on the job reports the failure; calling
 * again with the job id plans it afresh and, with a shard worker running, completes it.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NonRetryableError, createBus, type Bus, type KvStore } from "@ferret/bus";
import { BiEncoder } from "@ferret/inference";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IndexArtifactCache } from "../artifacts/index-cache.js";
import { IDS_FILE } from "../vector-index/exact-index.js";
import { referenceCorpus } from "../test-support/fixtures.js";
import { assembleJob } from "./assemble-index.js";
import { IndexJobFailedError, runIndexCorpusJob } from "./index-corpus-job.js";
import { openIndexJobStores } from "./index-job-stores.js";
import type { JobPlan, JobRecord } from "./job-record.js";
import { planShards } from "./plan-shards.js";
import { startShardWorker } from "./shard-worker.js";
import {
  DEFAULT_SHARD_JOB_NAMES,
  INDEX_COMPLETED_EVENT,
  decodeShardInput,
  encodeShardVectors,
  planObjectName,
  shardKey,
  type ShardRecord,
} from "./shard-job.js";

const names = DEFAULT_SHARD_JOB_NAMES;
let dir: string;
let bus: Bus;
let encoder: BiEncoder;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-assemble-"));
  bus = await createBus({ kind: "memory", dir: join(dir, "artifacts") });
  encoder = await BiEncoder.load(FIXTURE_MODELS.biEncoder, { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await encoder?.close();
  await bus?.close({ graceMs: 0 });
  await rm(dir, { recursive: true, force: true });
});

/** Fault injection: the jobs KV runs `compete` right before the first compare-and-set (update) through it. */
function competingClaimBus(real: Bus, compete: () => Promise<void>): Bus {
  let competed = false;
  const wrap = (kv: KvStore<JobRecord>): KvStore<JobRecord> => ({
    bucket: kv.bucket,
    get: (key) => kv.get(key),
    put: (key, value) => kv.put(key, value),
    create: (key, value) => kv.create(key, value),
    async update(key, value, revision) {
      if (!competed) {
        competed = true;
        await compete();
      }
      return kv.update(key, value, revision);
    },
    delete: (key, options) => kv.delete(key, options),
    keys: (pattern) => kv.keys(pattern),
    watch: (pattern, handler) => kv.watch(pattern, handler),
    destroy: () => kv.destroy(),
  });
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "kv") {
        return async (bucket: string, options?: object) => {
          const kv = await target.kv(bucket, options);
          return bucket === names.jobsBucket ? wrap(kv as KvStore<JobRecord>) : kv;
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A planned job whose shards are all recorded (what the shard workers leave before the assemble message). */
async function recordedJob(jobId: string): Promise<void> {
  const objects = await bus.objects(names.objectsBucket);
  const fingerprint = await encoder.fingerprint();
  const model = { name: "tiny-bert", variant: "fp32" as const, fingerprint, dimension: encoder.dimension };
  const shards = await planShards(referenceCorpus(), { jobId, shardSize: 7, objects, source: "<test>" });
  const plan: JobPlan = { jobId, index: "docs", model, kind: "exact", documents: 20, shards };
  const info = await objects.put(planObjectName(jobId), new TextEncoder().encode(JSON.stringify(plan)));
  const records = await bus.kv<ShardRecord>(names.recordsBucket);
  const { jobs } = await openIndexJobStores(bus, names);
  await jobs.create(jobId, {
    spec: {
      index: "docs",
      modelFingerprint: fingerprint,
      shards: shards.length,
      documents: 20,
      plan: { object: planObjectName(jobId), sha256: info.sha256 },
    },
    total: shards.length,
    unit: "shards",
  });
  for (const [shard, s] of shards.entries()) {
    const docs = decodeShardInput(await objects.getBytes(s.input));
    const vectors = await encoder.embedMatrix(
      docs.map((d) => d[1]),
      "document",
    );
    const object = `${jobId}.${shard}.test.1.vec`;
    const put = await objects.put(
      object,
      encodeShardVectors(
        docs.map((d) => d[0]),
        encoder.dimension,
        vectors,
      ),
    );
    await records.create(shardKey(jobId, shard), {
      shard,
      documents: docs.length,
      object,
      sha256: put.sha256,
      fingerprint,
      worker: "test",
      deliveryCount: 1,
    });
    await jobs.countBatch(jobId, shard, { documents: docs.length });
  }
}

describe("assembleJob", () => {
  it("of two concurrent assemblies one claims the job; the other drops its upload", async () => {
    const jobId = "race-1";
    await recordedJob(jobId);
    const events: unknown[] = [];
    const sub = await bus.events.subscribe<{ job?: { jobId?: string } }>(INDEX_COMPLETED_EVENT, (e) => {
      if (e.data.job?.jobId === jobId) events.push(e.data);
    });
    try {
      const ctx = (worker: string, b: Bus) => ({ bus: b, names, workDir: join(dir, worker), worker });
      let first: Awaited<ReturnType<typeof assembleJob>> | undefined;
      const second = await assembleJob(
        ctx(
          "second",
          competingClaimBus(bus, async () => {
            first = await assembleJob(ctx("first", bus), jobId);
          }),
        ),
        jobId,
      );
      expect(first?.outcome).toBe("assembled");
      expect(second.outcome).toBe("lost-race");
      const record = (await (await bus.kv<JobRecord>(names.jobsBucket)).get(jobId))!.value;
      expect(record).toMatchObject({ state: "succeeded", result: { assembledBy: "first" } });
      // finished: the shard state is gone
      expect(await (await bus.kv(names.recordsBucket)).keys(`${jobId}.*`)).toEqual([]);
      expect(second.record?.result).toEqual(record.result);

      // only the winner's objects are published, and they make a whole index
      const published = (await (await bus.objects(names.indexesBucket)).list()).map((o) => o.name).sort();
      expect(published).toEqual([record.result!.bundle, ...record.result!.files].map((f) => f.name).sort());
      const fetched = await new IndexArtifactCache(join(dir, "cache"), bus).get(record.result!.bundle);
      const ids = JSON.parse(await readFile(join(fetched.dir, IDS_FILE), "utf8")) as string[];
      expect(ids).toEqual(referenceCorpus().map((d) => d.id));

      // a later (redelivered) assemble finds it finished
      const third = await assembleJob(ctx("third", bus), jobId);
      expect(third.outcome).toBe("already-assembled");
      expect((await (await bus.kv<JobRecord>(names.jobsBucket)).get(jobId))!.value).toEqual(record);
      await new Promise((r) => setTimeout(r, 100));
      expect(events).toHaveLength(1);
    } finally {
      await sub.stop();
    }
  });

  it("fails a job whose shard record points at another shard's vectors, and its coordinator says so", async () => {
    const jobId = "tampered-1";
    await recordedJob(jobId);
    const records = await bus.kv<ShardRecord>(names.recordsBucket);
    const shard0 = (await records.get(shardKey(jobId, 0)))!.value;
    const shard1 = (await records.get(shardKey(jobId, 1)))!;
    await records.update(shardKey(jobId, 1), { ...shard0, shard: 1 }, shard1.revision);
    // a coordinator (the client's call, resumed) waiting for the job
    const waiting = (async () => {
      const model = {
        name: "tiny-bert",
        variant: "fp32" as const,
        fingerprint: await encoder.fingerprint(),
        dimension: encoder.dimension,
      };
      for await (const _ of runIndexCorpusJob({
        bus,
        jobId,
        documents: [],
        model,
        outDir: join(dir, "out"),
        index: "docs",
      }))
        void _;
    })();
    waiting.catch(() => undefined);

    const failure = await assembleJob({ bus, names, workDir: join(dir, "w"), worker: "w" }, jobId).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(NonRetryableError);
    expect((failure as Error).message).toBe(
      `shard 1 of job ${jobId}: its vectors do not carry the shard's document ids`,
    );
    expect((await (await bus.kv<JobRecord>(names.jobsBucket)).get(jobId))!.value).toMatchObject({
      state: "failed",
      error: { code: "INTERNAL", message: (failure as Error).message },
    });
    const reported = await waiting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(reported).toBeInstanceOf(IndexJobFailedError);
    expect((reported as IndexJobFailedError).code).toBe("INTERNAL");
    expect(
      (await (await bus.objects(names.indexesBucket)).list()).filter((o) => o.name.includes(jobId)),
    ).toEqual([]);

    // called again at once (inside the queue's dedup window): planned afresh and completed by a worker
    const worker = await startShardWorker({ bus, encoders: async () => encoder, workDir: join(dir, "w2") });
    try {
      const model = {
        name: "tiny-bert",
        variant: "fp32" as const,
        fingerprint: await encoder.fingerprint(),
        dimension: encoder.dimension,
      };
      let last;
      for await (const p of runIndexCorpusJob({
        bus,
        jobId,
        documents: referenceCorpus(),
        model,
        outDir: join(dir, "out2"),
        index: "docs",
        shardSize: 7,
      })) {
        last = p;
      }
      expect(last).toMatchObject({ state: "succeeded", documentsDone: 20, manifest: { size: 20 } });
      expect(JSON.parse(await readFile(join(dir, "out2", IDS_FILE), "utf8"))).toEqual(
        referenceCorpus().map((d) => d.id),
      );
    } finally {
      await worker.stop({ graceMs: 0 });
    }
  });

  it("an assemble message for a job with a shard not yet recorded does nothing (the last shard asks again)", async () => {
    const jobId = "partial-1";
    await recordedJob(jobId);
    await (await bus.kv<ShardRecord>(names.recordsBucket)).delete(shardKey(jobId, 2));
    const r = await assembleJob({ bus, names, workDir: join(dir, "p"), worker: "p" }, jobId);
    expect(r.outcome).toBe("incomplete");
    expect((await (await bus.kv<JobRecord>(names.jobsBucket)).get(jobId))!.value.state).toBe("running");
    expect(
      (await (await bus.objects(names.indexesBucket)).list()).filter((o) => o.name.includes(jobId)),
    ).toEqual([]);
  });
});
