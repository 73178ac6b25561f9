/**
 * The Encoder over real gRPC on loopback, with the tiny bi-encoder fixture and the in-process bus (a shard
 * worker in the same process): IndexCorpus with streamed progress, Embed and dense Search against PyTorch's
 * embeddings (reference.json), HNSW and exact search, hybrid search against a hand-computed min-max
 * interpolation, ListModels, and LoadModel hot swaps under concurrent requests (none may fail). Artifacts:
 * IndexCorpus from a gzip corpus.jsonl in the object store, the index it publishes, Search by that ref
 * (through the index cache), and the errors for a missing, mismatched or corrupted (bytes changed in the
 * real on-disk store) corpus artifact.
 */
import { readdir, readFile, writeFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createBus, type Bus } from "@ferret/bus";
import { FerretError } from "@ferret/errors";
import { createClient, startGrpcServer, type GrpcServer, type ServiceClient } from "@ferret/grpc";
import {
  EmbedRole,
  EncoderService,
  IndexKind,
  JobState,
  type ArtifactRef,
  type IndexCorpusRequest,
  type IndexCorpusUpdate,
} from "@ferret/proto";
import { EmbeddedBm25 } from "@ferret/retrieval";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE_MEDIA_TYPE } from "../artifacts/index-bundle.js";
import { IndexArtifactCache } from "../artifacts/index-cache.js";
import { BiEncoderCache } from "../model-registry.js";
import { ModelServer } from "../serving/model-server.js";
import type { JobRecord } from "../sharding/job-record.js";
import { DEFAULT_SHARD_JOB_NAMES } from "../sharding/shard-job.js";
import { startShardWorker, type ShardWorker } from "../sharding/shard-worker.js";
import { dot, makeModelsRoot, referenceCorpus, referenceTexts } from "../test-support/fixtures.js";
import { createEncoderService } from "./encoder-service.js";

const texts = referenceTexts();
const corpus = referenceCorpus();
let dir: string;
let bus: Bus;
let server: ModelServer;
let cache: BiEncoderCache;
let worker: ShardWorker;
let grpc: GrpcServer;
let client: ServiceClient<typeof EncoderService>;
let indexCache: IndexArtifactCache;

const model = (name: string) => ({ name, version: "", artifact: undefined });

async function indexCorpus(index: string, kind: IndexKind, modelName = ""): Promise<IndexCorpusUpdate[]> {
  const updates: IndexCorpusUpdate[] = [];
  for await (const u of client.indexCorpus({
    index,
    beirDir: "",
    documents: corpus.map((d) => ({ ...d, metadata: {} })),
    shardSize: 6,
    kind,
    jobId: "",
    model: modelName === "" ? undefined : model(modelName),
    quantized: false,
    corpus: undefined,
  })) {
    updates.push(u);
  }
  return updates;
}

/** The blob file of object `name` in the in-process bus's on-disk store (its meta file names it). */
async function findBlob(root: string, name: string): Promise<string> {
  for (const entry of await readdir(root, { recursive: true })) {
    if (!entry.endsWith(".json") || !entry.includes("meta")) continue;
    const meta = JSON.parse(await readFile(join(root, entry), "utf8")) as { name?: string; blob?: string };
    if (meta.name === name && meta.blob !== undefined) {
      return join(root, entry, "..", "..", "blobs", meta.blob);
    }
  }
  throw new Error(`no stored object ${name} under ${root}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-svc-"));
  const modelsRoot = makeModelsRoot(join(dir, "models"));
  bus = await createBus({ kind: "memory", dir: join(dir, "artifacts") });
  const load = { intraOpNumThreads: 1 };
  server = new ModelServer({ modelsRoot, indexesRoot: join(dir, "indexes"), load });
  cache = new BiEncoderCache(modelsRoot, load);
  worker = await startShardWorker({
    bus,
    encoders: (m) => cache.get(m.model, m.variant),
    queueOptions: { ackWaitMs: 5_000 },
  });
  indexCache = new IndexArtifactCache(join(dir, "index-cache"), bus);
  const bm25 = await EmbeddedBm25.build(corpus);
  await bm25.save(join(dir, "lexical", "docs.bm25"));
  await bm25.close();
  grpc = await startGrpcServer({
    services: [
      createEncoderService({
        server,
        models: cache,
        bus,
        lexicalRoot: join(dir, "lexical"),
        queueOptions: { ackWaitMs: 5_000 },
        indexCache,
      }),
    ],
    host: "127.0.0.1",
    port: 0,
  });
  client = createClient(EncoderService, `127.0.0.1:${grpc.port}`, { deadlineMs: 60_000 });
}, 60_000);

afterAll(async () => {
  client?.close();
  await grpc?.shutdown();
  await worker?.stop({ graceMs: 0 });
  await server?.close();
  await cache?.close();
  await bus?.close({ graceMs: 0 });
  await rm(dir, { recursive: true, force: true });
});

describe("Encoder over gRPC", () => {
  it("answers UNAVAILABLE before a model is loaded, and LoadModel serves one", async () => {
    await expect(
      client.embed({ model: undefined, texts: ["x"], role: 0, quantized: false }),
    ).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    const loaded = await client.loadModel({ model: model("tiny-a"), quantized: false, indexes: [] });
    expect(loaded).toMatchObject({ model: "tiny-a", variant: "fp32", previous: "" });
    expect(loaded.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it("Embed returns PyTorch's embeddings in request order", async () => {
    const response = await client.embed({
      model: undefined,
      texts: texts.map((t) => t.text),
      role: EmbedRole.EMBED_ROLE_QUERY,
      quantized: false,
    });
    expect(response.dimension).toBe(32);
    expect(response.model).toBe("tiny-a");
    response.embeddings.forEach((e, i) => {
      expect(e.values).toHaveLength(32);
      expect(dot(e.values, texts[i]!.mean)).toBeGreaterThan(0.99999);
    });
  });

  it("IndexCorpus streams shard progress and ends with the index", async () => {
    const updates = await indexCorpus("docs", IndexKind.INDEX_KIND_EXACT);
    const last = updates[updates.length - 1]!;
    expect(last.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(last.index).toMatchObject({
      name: "docs",
      kind: "exact",
      documents: 20,
      dimension: 32,
      model: "tiny-a",
    });
    expect(last.shards).toBe(4);
    expect(updates[0]!.status?.state).toBe(JobState.JOB_STATE_QUEUED);
    const done = updates.map((u) => Number(u.status?.progress?.done));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done[done.length - 1]).toBe(20);
    // the index is published: bundle first, then its files, each with its sha256
    const outputs = last.status!.outputs;
    expect(outputs[0]).toMatchObject({
      mediaType: BUNDLE_MEDIA_TYPE,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(last.index!.artifact).toEqual(outputs[0]);
    expect(
      outputs
        .slice(1)
        .map((o) => o.name.split("/").pop())
        .sort(),
    ).toEqual(["ids.json", "manifest.json", "vectors.f32"]);
    // the same call again (same corpus, model and kind: the same default job id) returns that job's index
    // at once, without encoding anything again
    const again = await indexCorpus("docs", IndexKind.INDEX_KIND_EXACT);
    expect(again).toHaveLength(1);
    expect(again[0]!.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(again[0]!.index?.artifact).toEqual(outputs[0]);
  });

  it("IndexCorpus streams a gzip corpus artifact; Search opens the published index by its ref", async () => {
    const objects = await bus.objects("corpora");
    const lines = corpus.map((d) => JSON.stringify({ _id: d.id, title: d.title, text: d.text })).join("\n");
    const put = await objects.put("tiny/corpus.jsonl.gz", gzipSync(Buffer.from(lines + "\n")));
    const ref = (name: string, sha256 = ""): ArtifactRef => ({
      bucket: "corpora",
      name,
      sha256,
      size: 0,
      mediaType: "",
    });
    const request = (corpusRef: ArtifactRef, jobId = ""): IndexCorpusRequest => ({
      index: "art",
      beirDir: "",
      documents: [],
      shardSize: 7,
      kind: IndexKind.INDEX_KIND_EXACT,
      jobId,
      model: undefined,
      quantized: false,
      corpus: corpusRef,
    });
    const updates: IndexCorpusUpdate[] = [];
    for await (const u of client.indexCorpus(request(ref("tiny/corpus.jsonl.gz", put.sha256)))) {
      updates.push(u);
    }
    const last = updates[updates.length - 1]!;
    expect(last.status?.state).toBe(JobState.JOB_STATE_SUCCEEDED);
    expect(last.index).toMatchObject({ name: "art", documents: 20 });
    expect(last.shards).toBe(3);
    const bundle = last.index!.artifact!;

    // by ref: the same rankings as the served index it was installed as
    const queries = texts.slice(0, 5).map((t, i) => ({ id: `q${i}`, text: t.text, metadata: {} }));
    const search = (index: string, indexArtifact: ArtifactRef | undefined) =>
      client.search({
        index,
        queries,
        k: 5,
        exact: false,
        hybrid: undefined,
        removeQuery: false,
        name: "r",
        indexArtifact,
      });
    const byRef = await search("", bundle);
    expect(byRef.run).toEqual((await search("art", undefined)).run);
    byRef.run!.rankings.forEach((r, i) => expect(r.docs[0]!.docId).toBe(corpus[i]!.id));
    // downloaded once into <cache>/<sha256>, reused afterwards
    expect(await indexCache.get(bundle)).toEqual({
      dir: join(dir, "index-cache", bundle.sha256),
      sha256: bundle.sha256,
      downloaded: false,
    });
    await expect(search("", { ...bundle, name: "nope/bundle.json", sha256: "" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining(`index artifact ${bundle.bucket}/nope/bundle.json`),
    });

    // errors name the corpus ref
    const run = async (r: IndexCorpusRequest) => {
      for await (const _ of client.indexCorpus(r)) void _;
    };
    await expect(run(request(ref("tiny/missing.jsonl")))).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("corpus artifact corpora/tiny/missing.jsonl not found"),
    });
    await expect(run(request(ref("tiny/corpus.jsonl.gz", "0".repeat(64))))).rejects.toMatchObject({
      code: "CHECKSUM_MISMATCH",
      message: expect.stringContaining("corpus artifact corpora/tiny/corpus.jsonl.gz"),
    });
    // flip bytes of the stored object in the real on-disk store (same size): the stream fails at its end
    const plain = await objects.put("tiny/corpus.jsonl", Buffer.from(lines + "\n"));
    const metaDir = join(dir, "artifacts");
    const blob = await findBlob(metaDir, "tiny/corpus.jsonl");
    const bytes = await readFile(blob);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0x01;
    await writeFile(blob, bytes);
    await expect(run(request(ref("tiny/corpus.jsonl", plain.sha256), "corrupt-1"))).rejects.toMatchObject({
      code: "CHECKSUM_MISMATCH",
      message: expect.stringContaining("corpus artifact corpora/tiny/corpus.jsonl is corrupt"),
    });
    // nothing was queued for it and its shard inputs are gone
    expect(
      await (await bus.kv<JobRecord>(DEFAULT_SHARD_JOB_NAMES.jobsBucket)).get("corrupt-1"),
    ).toBeUndefined();
    const shardObjects = await bus.objects(DEFAULT_SHARD_JOB_NAMES.objectsBucket);
    expect((await shardObjects.list()).filter((o) => o.name.startsWith("corrupt-1."))).toEqual([]);
  });

  it("dense Search ranks by PyTorch inner products (exact)", async () => {
    const k = 5;
    const response = await client.search({
      index: "docs",
      queries: texts.map((t, i) => ({ id: `q${i}`, text: t.text, metadata: {} })),
      k,
      exact: false,
      hybrid: undefined,
      removeQuery: false,
      name: "",
      indexArtifact: undefined,
    });
    expect(response.model).toBe("tiny-a");
    expect(response.run?.rankings).toHaveLength(texts.length);
    for (const [qi, ranking] of response.run!.rankings.entries()) {
      const ref = corpus.map((d, di) => ({ id: d.id, score: dot(texts[qi]!.mean, texts[di]!.mean) }));
      ref.sort((a, b) => b.score - a.score);
      expect(ranking.docs).toHaveLength(k);
      for (const d of ranking.docs) {
        expect(d.score).toBeCloseTo(ref.find((r) => r.id === d.docId)!.score, 4);
      }
      // nothing left out scores above the last one returned (up to float noise)
      expect(ranking.docs[k - 1]!.score).toBeGreaterThanOrEqual(ref[k]!.score - 1e-4);
    }
  });

  it("an HNSW index finds what exact search finds, and exact=true scans its vectors", async () => {
    await indexCorpus("docs-hnsw", IndexKind.INDEX_KIND_HNSW);
    const queries = texts.map((t, i) => ({ id: `q${i}`, text: t.text, metadata: {} }));
    const ask = (index: string, exact: boolean) =>
      client.search({
        index,
        queries,
        k: 10,
        exact,
        hybrid: undefined,
        removeQuery: false,
        name: "",
        indexArtifact: undefined,
      });
    const [exact, hnsw, hnswExact] = await Promise.all([
      ask("docs", false),
      ask("docs-hnsw", false),
      ask("docs-hnsw", true),
    ]);
    // reference texts 8 and 9 are " " and "": the same embedding, so they tie for every query, and which of
    // the two makes a top-10 cut is arbitrary for HNSW (exact search breaks the tie by doc id); count them as one
    const ids = (r: typeof exact) =>
      r.run!.rankings.map((x) => x.docs.map((d) => (d.docId === "d0-09" ? "d0-08" : d.docId)));
    expect(ids(hnsw)).toEqual(ids(exact));
    expect(ids(hnswExact)).toEqual(ids(exact));
  });

  it("hybrid Search interpolates min-max normalized dense and BM25 scores with α", async () => {
    // a query of words from several reference texts, so BM25 matches several documents (min-max needs a
    // spread); its dense vector comes from Embed, checked against PyTorch above
    const q = {
      text: texts
        .slice(0, 8)
        .map((t) => t.text.split(/\s+/).slice(0, 3).join(" "))
        .join(" "),
    };
    const bm25 = await EmbeddedBm25.load(join(dir, "lexical", "docs.bm25"));
    const lexical = new Map(
      (await bm25.search({ id: "q", text: q.text }, { k: 20 })).map((h) => [h.id, h.score]),
    );
    await bm25.close();
    expect(lexical.size).toBeGreaterThanOrEqual(3);
    const qv = (await client.embed({ model: undefined, texts: [q.text], role: 1, quantized: false }))
      .embeddings[0]!;
    const dense = new Map(corpus.map((d, di) => [d.id, dot(qv.values, texts[di]!.mean)]));
    const minMax = (m: Map<string, number>) => {
      const v = [...m.values()];
      const lo = Math.min(...v);
      const hi = Math.max(...v);
      return new Map([...m].map(([id, s]) => [id, (s - lo) / (hi - lo)]));
    };
    const [nd, nb] = [minMax(dense), minMax(lexical)];
    const alpha = 0.3;
    const expected = corpus
      .map((d) => ({ id: d.id, score: alpha * nd.get(d.id)! + (1 - alpha) * (nb.get(d.id) ?? 0) }))
      .sort((a, b) => b.score - a.score);
    const response = await client.search({
      index: "docs",
      queries: [{ id: "q", text: q.text, metadata: {} }],
      k: 20,
      exact: false,
      hybrid: { bm25Index: "docs.bm25", alpha, normalization: "min-max", depth: 20 },
      removeQuery: false,
      name: "hybrid",
      indexArtifact: undefined,
    });
    const got = response.run!.rankings[0]!.docs;
    expect(got).toHaveLength(20);
    for (const d of got) expect(d.score).toBeCloseTo(expected.find((e) => e.id === d.docId)!.score, 4);
    expect(got[0]!.docId).toBe(expected[0]!.id);
    await expect(
      client.search({
        index: "docs",
        queries: [{ id: "q", text: q.text, metadata: {} }],
        k: 5,
        exact: false,
        hybrid: { bm25Index: "../escape.bm25", alpha, normalization: "", depth: 0 },
        removeQuery: false,
        name: "",
        indexArtifact: undefined,
      }),
    ).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("ListModels lists the model dirs, a broken one with its problem, and what is served", async () => {
    const response = await client.listModels({});
    expect(response.models.map((m) => m.name)).toEqual(["tiny-a", "tiny-b"]);
    expect(response.models[0]).toMatchObject({
      dimension: 32,
      pooling: "mean",
      maxLength: 24,
      serving: true,
    });
    expect(response.models[0]!.variants).toEqual(["fp32", "quantized"]);
    expect(response.problems.map((p) => p.name)).toEqual(["broken"]);
    expect(response.problems[0]!.problem).toMatch(/ferret\.json/);
    expect(response.serving).toBe("tiny-a");
    expect(response.indexes.map((i) => i.name).sort()).toEqual(["art", "docs", "docs-hnsw"]);
  });

  it("LoadModel swaps models under concurrent requests without failing any; a failed load keeps serving", async () => {
    // a newly published model's index is built beside the served one, before the swap
    await indexCorpus("docs", IndexKind.INDEX_KIND_EXACT, "tiny-b");
    expect((await client.listModels({})).serving).toBe("tiny-a");
    // tiny-b has no build of docs-hnsw: the load fails and tiny-a keeps serving
    await expect(
      client.loadModel({ model: model("tiny-b"), quantized: false, indexes: [] }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
    });
    const a = await client.loadModel({ model: model("tiny-a"), quantized: false, indexes: ["docs"] });
    expect(a.previous).toBe("tiny-a");
    const oldServing = server.serving!;

    const queries = texts.slice(0, 4).map((t, i) => ({ id: `q${i}`, text: t.text, metadata: {} }));
    const search = () =>
      client.search({
        index: "docs",
        queries,
        k: 3,
        exact: false,
        hybrid: undefined,
        removeQuery: false,
        name: "",
        indexArtifact: undefined,
      });
    const embed = () =>
      client.embed({ model: undefined, texts: ["A quick test."], role: 1, quantized: false });
    // steady traffic (a call every few ms, each in flight for a while) across two swaps
    const calls: Promise<{ model: string }>[] = [];
    let swapping = true;
    const swaps = (async () => {
      await new Promise((r) => setTimeout(r, 20));
      await client.loadModel({ model: model("tiny-b"), quantized: false, indexes: [] });
      await new Promise((r) => setTimeout(r, 50));
      await client.loadModel({ model: model("tiny-a"), quantized: false, indexes: [] });
      await new Promise((r) => setTimeout(r, 20));
      swapping = false;
    })();
    for (let i = 0; swapping; i++) {
      calls.push(i % 3 === 0 ? embed() : search());
      await new Promise((r) => setTimeout(r, 2));
    }
    const results = await Promise.allSettled([...calls, swaps]);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const served = new Set(
      results.slice(0, calls.length).map((r) => (r as PromiseFulfilledResult<{ model: string }>).value.model),
    );
    expect(served).toEqual(new Set(["tiny-a", "tiny-b"]));
    // the model swapped out is closed once its requests are done
    expect(oldServing.isClosed).toBe(true);

    // tiny-b's search results are its own (prefixes change the vectors), not tiny-a's
    const b = await client.loadModel({ model: model("tiny-b"), quantized: false, indexes: [] });
    const onB = await search();
    await client.loadModel({ model: model("tiny-a"), quantized: false, indexes: [] });
    const onA = await search();
    expect(onB.modelFingerprint).toBe(b.fingerprint);
    expect(onA.modelFingerprint).toBe(a.fingerprint);
    expect(onB.run!.rankings[0]!.docs[0]!.score).not.toBeCloseTo(onA.run!.rankings[0]!.docs[0]!.score, 4);

    // a broken model directory cannot be swapped in either
    const failed = await client
      .loadModel({ model: model("broken"), quantized: false, indexes: [] })
      .catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(FerretError);
    expect((await client.listModels({})).serving).toBe("tiny-a");
    expect((await search()).model).toBe("tiny-a");
  }, 60_000);
});
