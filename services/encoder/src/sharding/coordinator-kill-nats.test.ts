/**
 * Coordinator failover on a real nats-server ($NATS_URL, default nats://127.0.0.1:4222): the replica that
 * coordinates IndexCorpus is a real child process (test-support/coordinator-child.mjs, the BUILT package)
 * SIGKILLed mid-job: once it has reported the first recorded shard. A shard worker in this process (real
 * tiny bi-encoder) encodes the shards; it is held before its third shard until the kill (a gate in its
 * encoder resolver, so the coordinator surely dies with shards outstanding), then encodes the rest, triggers
 * the assembly itself and assembles, so the job still ends with one complete index in the object store:
 * every document exactly once with PyTorch's embedding, one corpus.indexed event naming it. A duplicated assemble message changes nothing, and a client
 * calling again with the job id gets that index at once. Fails, never skips, when NATS is unreachable.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBus, type Bus, type BusEvent } from "@ferret/bus";
import { eventually, forkWorkerProcess, within } from "@ferret/bus/testing";
import { BiEncoder } from "@ferret/inference";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NATS_URL, destroyNatsTestState, natsTestState } from "../test-support/nats-test-state.js";
import { IndexArtifactCache } from "../artifacts/index-cache.js";
import { EXACT_VECTORS_FILE, IDS_FILE } from "../vector-index/exact-index.js";
import { dot, referenceCorpus, referenceTexts } from "../test-support/fixtures.js";
import type { AssembleOutcome } from "./assemble-index.js";
import { runIndexCorpusJob, type IndexCorpusProgress } from "./index-corpus-job.js";
import type { JobRecord } from "./job-record.js";
import { INDEX_COMPLETED_EVENT, type EncoderQueueMessage } from "./shard-job.js";
import { startShardWorker, type ShardWorker } from "./shard-worker.js";

const nats = natsTestState();
const { runId, names, events } = nats;
const url = NATS_URL;
const queueOptions = { ackWaitMs: 2_000, maxDeliveries: 5 };
const childScript = fileURLToPath(new URL("../test-support/coordinator-child.mjs", import.meta.url));
/** corpus.indexed as CorpusIndexed.toJSON writes it (the fields this test reads). */
interface CompletedEvent {
  job?: { jobId?: string; kind?: string };
  index: { name: string; sha256: string };
  modelFingerprint?: string;
}
const builtPackage = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

let bus: Bus;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-coord-"));
  bus = await createBus({ kind: "nats", url, name: "encoder-coordinator-test", events });
});
afterAll(async () => {
  if (bus !== undefined) await destroyNatsTestState(bus, nats);
  await rm(dir, { recursive: true, force: true });
});

describe("coordinator failover on NATS JetStream", () => {
  it("a coordinator SIGKILLed mid-job still leaves one complete published index", async () => {
    const jobId = `coord-${runId}`;
    const corpus = referenceCorpus(3); // 60 documents, 10 shards of 6
    const texts = referenceTexts();
    const encoder = await BiEncoder.load(FIXTURE_MODELS.biEncoder, { intraOpNumThreads: 1 });
    const completions: BusEvent<CompletedEvent>[] = [];
    const sub = await bus.events.subscribe<CompletedEvent>(
      INDEX_COMPLETED_EVENT,
      (e) => void (e.data.job?.jobId === jobId && completions.push(e)),
    );
    let worker: ShardWorker | undefined;
    try {
      const model = {
        name: "tiny-bert",
        variant: "fp32" as const,
        fingerprint: await encoder.fingerprint(),
        dimension: encoder.dimension,
      };
      const child = forkWorkerProcess(childScript, {
        env: {
          NATS_URL: url,
          EVENTS: JSON.stringify(events),
          NAMES: JSON.stringify(names),
          QUEUE_OPTIONS: JSON.stringify(queueOptions),
          JOB: JSON.stringify({
            jobId,
            documents: corpus,
            model,
            outDir: join(dir, "child-index"),
            index: "docs",
            shardSize: 6,
            kind: "exact",
          }),
        },
        built: { file: builtPackage, command: "npx turbo run build --filter=@ferret/encoder..." },
      });
      const outcomes: AssembleOutcome[] = [];
      let openGate!: () => void;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      let handed = 0;
      worker = await startShardWorker({
        bus,
        encoders: async () => {
          if (++handed > 2) await gate; // held until the coordinator is dead
          return encoder;
        },
        names,
        queueOptions,
        worker: "survivor",
        workDir: join(dir, "assembly"),
        metrics: {
          shardFinished: () => undefined,
          assembled: (outcome) => void (outcome !== "failed" && outcomes.push(outcome)),
        },
      });
      const running = child
        .message<{ type: "progress"; progress: IndexCorpusProgress }>(
          "progress",
          (m) => m.progress.state === "running",
        )
        .then((m) => m.progress);
      expect(await within(30_000, "the coordinator to see a shard recorded", running)).toMatchObject({
        shards: 10,
        documents: 60,
      });
      expect(await child.kill()).toBe("SIGKILL");

      // the job outlives its coordinator: planned, shards outstanding
      const jobs = await bus.kv<JobRecord>(names.jobsBucket);
      expect((await jobs.get(jobId))?.value).toMatchObject({
        state: "running",
        spec: { shards: 10, documents: 60 },
      });
      const recordedAtKill = (await (await bus.kv(names.recordsBucket)).keys(`${jobId}.*`)).length;
      expect(recordedAtKill).toBeGreaterThanOrEqual(1);
      expect(recordedAtKill).toBeLessThanOrEqual(2);
      const queue = await bus.queue<EncoderQueueMessage>(names.queue, queueOptions);
      openGate();
      await eventually(
        60_000,
        "the job to succeed",
        async () => (await jobs.get(jobId))?.value.state === "succeeded",
      );
      const record = (await jobs.get(jobId))!.value;
      expect(record.result).toMatchObject({
        assembledBy: "survivor",
        manifest: { size: 60, kind: "exact", modelFingerprint: model.fingerprint },
        bundle: { bucket: names.indexesBucket },
      });
      const bundle = record.result!.bundle;

      // the published index: every document exactly once, each with PyTorch's embedding of its text
      const cache = new IndexArtifactCache(join(dir, "cache"), bus);
      const fetched = await cache.get(bundle);
      expect(fetched).toMatchObject({ sha256: bundle.sha256, downloaded: true });
      const ids = JSON.parse(await readFile(join(fetched.dir, IDS_FILE), "utf8")) as string[];
      expect(ids).toHaveLength(60);
      expect(new Set(ids)).toEqual(new Set(corpus.map((d) => d.id)));
      const bytes = await readFile(join(fetched.dir, EXACT_VECTORS_FILE));
      const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      ids.forEach((id, row) => {
        const text = texts[Number(id.split("-")[1])]!;
        expect(dot(vectors.subarray(row * 32, (row + 1) * 32), text.mean)).toBeGreaterThan(0.99999);
      });
      expect((await cache.get(bundle)).downloaded).toBe(false);

      // one completion event naming the published bundle; shard state cleaned up
      const objects = await bus.objects(names.objectsBucket);
      const records = await bus.kv(names.recordsBucket);
      await eventually(
        10_000,
        "the shard state to be cleaned up",
        async () =>
          (await objects.list()).every((o) => !o.name.startsWith(`${jobId}.`)) &&
          (await records.keys(`${jobId}.*`)).length === 0,
      );
      await eventually(5_000, "the completion event", async () => completions.length > 0);
      expect(completions[0]!.data.index).toMatchObject({ name: bundle.name, sha256: bundle.sha256 });
      expect(completions[0]!.data.modelFingerprint).toBe(model.fingerprint);
      expect(completions[0]!.data.job?.kind).toBe("encode.index");

      // a duplicated assemble (another id, so not deduplicated by the queue) changes nothing
      await queue.publish({ type: "assemble", jobId }, { id: `${jobId}:assemble:again` });
      await eventually(10_000, "the duplicate assemble", async () => outcomes.length === 2);
      expect(outcomes).toEqual(["assembled", "already-assembled"]);
      expect((await jobs.get(jobId))!.value).toEqual(record);
      await new Promise((r) => setTimeout(r, 300));
      expect(completions).toHaveLength(1);
      const published = (await (await bus.objects(names.indexesBucket)).list()).map((o) => o.name).sort();
      expect(published).toEqual([bundle, ...record.result!.files].map((f) => f.name).sort());

      // the client calls again with the job id (on any replica): the finished index, nothing re-encoded
      const again: IndexCorpusProgress[] = [];
      for await (const p of runIndexCorpusJob({
        bus,
        jobId,
        documents: [],
        model,
        outDir: join(dir, "client-index"),
        index: "docs",
        names,
        queueOptions,
      })) {
        again.push(p);
      }
      expect(again).toHaveLength(1);
      expect(again[0]).toMatchObject({ state: "succeeded", documentsDone: 60, result: { bundle } });
      expect(await readFile(join(dir, "client-index", IDS_FILE), "utf8")).toBe(
        await readFile(join(fetched.dir, IDS_FILE), "utf8"),
      );
      expect(worker.stats()).toMatchObject({ recorded: 10, assembled: 1, lostRaces: 0, failed: 0 });
    } finally {
      await sub.stop();
      await worker?.stop({ graceMs: 0 });
      await encoder.close();
    }
  }, 120_000);
});
