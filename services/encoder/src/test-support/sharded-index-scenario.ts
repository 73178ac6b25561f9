/**
 * The "replica killed mid-shard" scenario, run against both bus adapters: 60 documents (the 20 reference
 * texts three times) in 10 shards of 6. A doomed worker records 2 shards, encodes a third and dies before
 * recording it (NATS: a real child process killed with SIGKILL; in-process: a handler that never resolves
 * and a consumer abandoned without grace). A surviving worker finishes. Checks: the assembled index holds
 * every document exactly once with PyTorch's embedding (reference.json), the lost shard came back on a later
 * delivery, progress is monotonic, the shard objects are cleaned up and one completion event is published.
 * The surviving worker also assembles (the coordinator never does) and publishes the index to the store.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { Bus, QueueOptions } from "@ferret/bus";
import { eventually, within } from "@ferret/bus/testing";
import { BiEncoder } from "@ferret/inference";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { EXACT_VECTORS_FILE, IDS_FILE } from "../vector-index/exact-index.js";
import { runIndexCorpusJob, type IndexCorpusProgress } from "../sharding/index-corpus-job.js";
import { INDEX_COMPLETED_EVENT, type ShardJobNames, type ShardRecord } from "../sharding/shard-job.js";
import { startShardWorker } from "../sharding/shard-worker.js";
import { dot, referenceCorpus, referenceTexts } from "./fixtures.js";

export const SHARD_SIZE = 6;
export const HANG_ON = 3;

export interface DoomedShardWorker {
  /** Resolves when the doomed worker has encoded its HANG_ON-th shard and hangs. */
  hung: Promise<void>;
  kill(): Promise<void>;
}

export interface ShardScenarioHarness {
  bus: Bus;
  names: ShardJobNames;
  queueOptions: QueueOptions;
  outDir: string;
  startDoomedWorker(): Promise<DoomedShardWorker>;
}

export async function runShardedIndexScenario(h: ShardScenarioHarness, jobId: string): Promise<void> {
  const { bus, names } = h;
  const texts = referenceTexts();
  const corpus = referenceCorpus(3);
  const completions: unknown[] = [];
  const sub = await bus.events.subscribe<{ job?: { jobId?: string } }>(INDEX_COMPLETED_EVENT, (e) => {
    if (e.data.job?.jobId === jobId) completions.push(e.data);
  });
  const records = await bus.kv<ShardRecord>(names.recordsBucket);
  const doomed = await h.startDoomedWorker();
  const encoder = await BiEncoder.load(FIXTURE_MODELS.biEncoder, { intraOpNumThreads: 1 });
  let survivor: Awaited<ReturnType<typeof startShardWorker>> | undefined;
  try {
    const fingerprint = await encoder.fingerprint();
    const progress: IndexCorpusProgress[] = [];
    const job = (async () => {
      for await (const p of runIndexCorpusJob({
        bus,
        jobId,
        documents: corpus,
        model: { name: "tiny-bert", variant: "fp32", fingerprint, dimension: encoder.dimension },
        outDir: h.outDir,
        shardSize: SHARD_SIZE,
        kind: "exact",
        names,
        queueOptions: h.queueOptions,
      })) {
        progress.push(p);
      }
    })();
    job.catch(() => undefined);

    await within(60_000, "the doomed worker to hang", doomed.hung);
    await doomed.kill();
    // exactly the shards it finished are recorded; the one it died on is not
    expect(await records.keys(`${jobId}.*`)).toHaveLength(HANG_ON - 1);
    const early = new Map<number, ShardRecord>();
    for (const key of await records.keys(`${jobId}.*`)) {
      const r = (await records.get(key))!.value;
      early.set(r.shard, r);
    }

    survivor = await startShardWorker({
      bus,
      encoders: async () => encoder,
      names,
      queueOptions: h.queueOptions,
      worker: "survivor",
    });
    // watch the records until the coordinator deletes them: the survivor's include a redelivered shard
    const seen = new Map<number, ShardRecord>(early);
    const watch = await records.watch(`${jobId}.*`, (c) => {
      if (c.value !== undefined) seen.set(c.value.shard, c.value);
    });
    await within(90_000, "the index to be assembled", job);
    await watch.stop();
    const stats = survivor.stats();
    expect(stats.recorded).toBe(10 - (HANG_ON - 1));
    expect(stats.lostRaces).toBe(0);
    expect(seen.size).toBe(10);
    expect([...seen.values()].some((r) => r.worker === "survivor" && r.deliveryCount >= 2)).toBe(true);

    // progress: monotonic, ends succeeded with every document
    const done = progress.map((p) => p.documentsDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const last = progress[progress.length - 1]!;
    expect(last).toMatchObject({
      state: "succeeded",
      shards: 10,
      shardsDone: 10,
      documents: 60,
      documentsDone: 60,
    });
    expect(last.manifest).toMatchObject({ size: 60, kind: "exact", modelFingerprint: fingerprint });
    expect(last.result?.bundle).toMatchObject({
      bucket: names.indexesBucket,
      name: expect.stringMatching(/bundle\.json$/),
    });

    // the index: every document exactly once, each with PyTorch's embedding of its text
    const ids = JSON.parse(await readFile(join(h.outDir, IDS_FILE), "utf8")) as string[];
    expect(ids).toHaveLength(60);
    expect(new Set(ids)).toEqual(new Set(corpus.map((d) => d.id)));
    const bytes = await readFile(join(h.outDir, EXACT_VECTORS_FILE));
    const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(vectors.length).toBe(60 * 32);
    ids.forEach((id, row) => {
      const text = texts[Number(id.split("-")[1])]!;
      expect(dot(vectors.subarray(row * 32, (row + 1) * 32), text.mean)).toBeGreaterThan(0.99999);
    });

    // nothing left behind (the assembler cleans up right after claiming the job, so allow it a moment):
    // shard inputs, plan, vectors (also the dead worker's, if any) and records
    const objects = await bus.objects(names.objectsBucket);
    const leftovers = async () =>
      (await objects.list()).filter((o) => o.name.startsWith(`${jobId}.`)).length +
      (await records.keys(`${jobId}.*`)).length;
    await eventually(10_000, "the shard state to be cleaned up", async () => (await leftovers()) === 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(completions).toHaveLength(1);
  } finally {
    await sub.stop();
    await survivor?.stop({ graceMs: 0 });
    await doomed.kill();
    await encoder.close();
  }
}
