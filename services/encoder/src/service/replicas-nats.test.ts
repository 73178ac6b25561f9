/**
 * Two encoder replicas (startEncoder, each with its own gRPC server, shard worker and local index directory)
 * on a real nats-server ($NATS_URL, default nats://127.0.0.1:4222), exchanging artifacts only through the
 * NATS object store: replica A indexes a gzip corpus.jsonl artifact (the shards go to both replicas' workers),
 * and replica B, which never saw the index on disk, searches it by the ArtifactRef A returned, with the same
 * rankings A gives from its served copy. One corpus.indexed event names the published bundle. Every queue,
 * bucket and stream carries the run id and is deleted afterwards. Fails, never skips, without NATS.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createBus, type Bus } from "@ferret/bus";
import { eventually } from "@ferret/bus/testing";
import { createClient } from "@ferret/grpc";
import { EncoderService, IndexKind, JobState, type IndexCorpusUpdate } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encoderConfigSchema } from "../config.js";
import { makeModelsRoot, referenceCorpus, referenceTexts } from "../test-support/fixtures.js";
import { NATS_URL, destroyNatsTestState, natsTestState } from "../test-support/nats-test-state.js";
import { startEncoder, type RunningEncoder } from "./start-encoder.js";

const nats = natsTestState();
const { runId, events } = nats;
const url = NATS_URL;
const shards = { ...nats.names, ackWaitMs: 5_000 };
const corporaBucket = `corpora-${runId}`;

let dir: string;
let bus: Bus;
const replicas: RunningEncoder[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-replicas-"));
  bus = await createBus({ kind: "nats", url, name: "encoder-replicas-test", events });
  const models = makeModelsRoot(join(dir, "models"));
  for (const name of ["a", "b"]) {
    const config = encoderConfigSchema.parse({
      grpc: { host: "127.0.0.1", port: 0 },
      metrics: { enabled: false },
      models: { dir: models, serve: "tiny-a", threads: 1 },
      indexes: { dir: join(dir, name, "indexes"), cacheDir: join(dir, name, "cache") },
      nats: { url, eventsStream: events.stream, eventsPrefix: events.prefix },
      shards,
    });
    replicas.push(await startEncoder(config));
  }
}, 60_000);

afterAll(async () => {
  for (const r of replicas) await r.stop();
  if (bus !== undefined) await destroyNatsTestState(bus, nats, [corporaBucket]);
  await rm(dir, { recursive: true, force: true });
});

describe("encoder replicas on NATS", () => {
  it("one indexes a corpus artifact, the other searches the published index by its ref", async () => {
    const corpus = referenceCorpus();
    const lines = corpus.map((d) => JSON.stringify({ _id: d.id, title: d.title, text: d.text })).join("\n");
    const put = await (await bus.objects(corporaBucket)).put("tiny/corpus.jsonl.gz", gzipSync(lines));
    const indexed: { index?: { sha256?: string } }[] = [];
    const sub = await bus.events.subscribe<{ index?: { sha256?: string } }>("corpus.indexed", (e) => {
      indexed.push(e.data);
    });
    const [a, b] = replicas.map((r) =>
      createClient(EncoderService, `127.0.0.1:${r.grpc.port}`, { deadlineMs: 60_000 }),
    );
    try {
      const updates: IndexCorpusUpdate[] = [];
      for await (const u of a!.indexCorpus({
        index: "docs",
        beirDir: "",
        documents: [],
        shardSize: 5,
        kind: IndexKind.INDEX_KIND_EXACT,
        jobId: "",
        model: undefined,
        quantized: false,
        corpus: {
          bucket: corporaBucket,
          name: "tiny/corpus.jsonl.gz",
          sha256: put.sha256,
          size: 0,
          mediaType: "",
        },
      })) {
        updates.push(u);
      }
      const last = updates[updates.length - 1]!;
      expect(last.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
      expect(last.index).toMatchObject({ name: "docs", documents: 20 });
      const bundle = last.index!.artifact!;
      expect(bundle.bucket).toBe(shards.indexesBucket);
      const stats = replicas.map((r) => r.worker!.stats());
      expect(stats[0]!.recorded + stats[1]!.recorded).toBe(4);

      const queries = referenceTexts()
        .slice(0, 6)
        .map((t, i) => ({ id: `q${i}`, text: t.text, metadata: {} }));
      const search = { queries, k: 5, exact: false, hybrid: undefined, removeQuery: false, name: "r" };
      const onA = await a!.search({ ...search, index: "docs", indexArtifact: undefined });
      const onB = await b!.search({ ...search, index: "", indexArtifact: bundle });
      expect(onB.run).toEqual(onA.run);
      onB.run!.rankings.forEach((r, i) => expect(r.docs[0]!.docId).toBe(corpus[i]!.id));
      // B has no local copy of "docs": it searched the download in its cache
      await expect(b!.search({ ...search, index: "docs", indexArtifact: undefined })).rejects.toMatchObject({
        code: "NOT_FOUND",
      });

      await eventually(10_000, "the corpus.indexed event", async () => indexed.length > 0);
      await new Promise((r) => setTimeout(r, 200));
      expect(indexed).toHaveLength(1);
      expect(indexed[0]!.index).toMatchObject({ sha256: bundle.sha256 });
    } finally {
      a?.close();
      b?.close();
      await sub.stop();
    }
  }, 60_000);
});
