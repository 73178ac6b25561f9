/**
 * Server-side candidate pools through the gRPC Annotator: SubmitJob names a BEIR directory, a split and
 * a depth; the service pools BM25 top-k (embedded index over the corpus) and dense top-k from a REAL
 * encoder (the Encoder gRPC service over loopback, serving @ferret/inference's tiny fixture bi-encoder
 * with an index of examples/mini built through IndexCorpus), merged, plus the split's human positives;
 * and BM25 from a real OpenSearch index when the request names one.
 * Expected pools are rebuilt here from the components' own answers (BM25 and Encoder.Search called
 * directly, qrels read from the file) with the merge rule written out by hand.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Annotator,
  annotateCollection,
  annotatorService,
  collectLabels,
  OpenAiBackend,
  openAnnotationStore,
  serverPools,
  startAnnotationWorker,
  type AnnotationStore,
} from "@ferret/annotator";
import {
  startFaultInjectionServer,
  taskResponder,
  type FaultInjectionServer,
} from "@ferret/annotator/testing";
import { createBus, type Bus, type Consumer } from "@ferret/bus";
import { readBeirCorpus, readBeirQrels, readBeirQueries, type DocumentRecord } from "@ferret/datasets";
import { createClient, startGrpcServer, type GrpcServer, type ServiceClient } from "@ferret/grpc";
import type { EncoderService } from "@ferret/proto";
import { AnnotatorService, JobState, UtilityVariant } from "@ferret/proto";
import { EmbeddedBm25, OpenSearchBm25 } from "@ferret/retrieval";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES, startMiniEncoder, type MiniEncoder } from "../support/mini-encoder.js";

/** The first two queries of the test split, in queries.jsonl order (what --limit 2 --split test takes). */
const QUERIES: { id: string; text: string }[] = [];
const DEPTH = 5;
const OPENSEARCH = process.env.OPENSEARCH_URL ?? "http://127.0.0.1:9200";

let dir: string;
let live: MiniEncoder;
let encoderClient: ServiceClient<typeof EncoderService>;
let bus: Bus;
let store: AnnotationStore;
let llm: FaultInjectionServer;
let server: GrpcServer;
let client: ServiceClient<typeof AnnotatorService>;
let worker: Consumer;
let docs: DocumentRecord[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "annotator-pools-"));
  live = await startMiniEncoder(dir);
  encoderClient = live.client;

  bus = await createBus({ kind: "memory", dir: join(dir, "bus") });
  store = await openAnnotationStore(bus, { prefix: "pools" });
  llm = await startFaultInjectionServer(taskResponder);
  const annotator = new Annotator({
    backend: new OpenAiBackend({ baseUrl: llm.baseUrl, model: "fault-model" }),
    cache: store.cache,
  });
  server = await startGrpcServer({
    services: [
      annotatorService({
        store,
        annotator,
        pools: { corporaRoot: EXAMPLES, encoder: encoderClient },
      }),
    ],
    host: "127.0.0.1",
  });
  client = createClient(AnnotatorService, `127.0.0.1:${server.port}`, { deadlineMs: 60_000 });
  worker = startAnnotationWorker(store, annotator, { itemConcurrency: 8 });
  docs = [];
  for await (const d of readBeirCorpus(join(EXAMPLES, "mini", "corpus.jsonl"))) docs.push(d);
  const split = await readBeirQrels(join(EXAMPLES, "mini", "qrels", "test.tsv"));
  for await (const q of readBeirQueries(join(EXAMPLES, "mini", "queries.jsonl")))
    if (split.has(q.id) && QUERIES.length < 2) QUERIES.push({ id: q.id, text: q.text });
}, 120_000);

afterAll(async () => {
  client?.close();
  await worker?.stop();
  await server?.shutdown();
  await llm?.close();
  await bus?.close();
  await live?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The top `k` doc ids of a ranking, as trec_eval orders (score desc, doc id desc on ties). */
function top(scores: Map<string, number>, k: number): string[] {
  return [...scores]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1))
    .slice(0, k)
    .map(([d]) => d);
}

/** The expected pool of each query: BM25 1, dense 1, BM25 2, dense 2, ... (no repeats), then positives. */
async function expectedPools(): Promise<Map<string, string[]>> {
  const bm25 = await EmbeddedBm25.build(docs);
  const lexical = await bm25.searchBatch(QUERIES, { k: DEPTH });
  await bm25.close();
  const dense = await encoderClient.search({
    index: "mini",
    queries: QUERIES.map((q) => ({ ...q, metadata: {} })),
    k: DEPTH,
    exact: false,
    hybrid: undefined,
    removeQuery: false,
    name: "",
    indexArtifact: undefined,
  });
  const qrels = await readBeirQrels(join(EXAMPLES, "mini", "qrels", "test.tsv"));
  const pools = new Map<string, string[]>();
  for (const q of QUERIES) {
    const a = top(lexical.get(q.id)!, DEPTH);
    const b = dense.run!.rankings.find((r) => r.queryId === q.id)!.docs.map((d) => d.docId);
    const pool: string[] = [];
    for (let r = 0; r < DEPTH; r++)
      for (const id of [a[r], b[r]]) if (id && !pool.includes(id)) pool.push(id);
    for (const [id, rel] of qrels.get(q.id) ?? []) if (rel > 0 && !pool.includes(id)) pool.push(id);
    // the dense retriever must add something BM25 did not find, or this test would not see it
    expect(b.some((id) => !a.includes(id))).toBe(true);
    pools.set(q.id, pool);
  }
  return pools;
}

async function runJob(jobId: string): Promise<void> {
  for await (const u of client.watchJob({ jobId, kind: "" })) {
    if (u.status?.state === JobState.JOB_STATE_SUCCEEDED) return;
  }
  throw new Error(`${jobId} did not succeed`);
}

describe("SubmitJob with server-side candidate pools", () => {
  it("pools BM25 + dense (live encoder) + human positives, for relevance and utility jobs", async () => {
    const expected = await expectedPools();
    const pools = {
      beirDir: "mini",
      documents: [],
      queries: QUERIES.map((q) => ({ ...q, metadata: {} })),
      qrels: undefined,
      split: "test",
      depth: DEPTH,
      opensearchIndex: "",
      denseIndex: "mini",
      noHumanPositives: false,
    };
    const submitted = await client.submitJob({
      jobId: "pooled-relevance",
      work: { $case: "relevance", value: { pairs: [], pools } },
      batchSize: 4,
      pricing: undefined,
    });
    const total = [...expected.values()].reduce((n, p) => n + p.length, 0);
    expect(submitted.status?.progress?.total).toBe(total);
    await runJob("pooled-relevance");
    const relevance = await collectLabels(store, "pooled-relevance");
    for (const q of QUERIES) {
      expect(
        relevance
          .filter((l) => l.queryId === q.id)
          .map((l) => l.docId)
          .sort(),
      ).toEqual([...expected.get(q.id)!].sort());
    }

    await client.submitJob({
      jobId: "pooled-utility",
      work: {
        $case: "utility",
        value: { queries: [], variant: UtilityVariant.UTILITY_VARIANT_RANKING, topPercent: 0, pools },
      },
      batchSize: 1,
      pricing: undefined,
    });
    await runJob("pooled-utility");
    const utility = await collectLabels(store, "pooled-utility");
    for (const q of QUERIES) {
      // the pool's order is each passage's original position
      const labels = utility.filter((l) => l.queryId === q.id);
      labels.sort((a, b) => a.window!.originalPosition - b.window!.originalPosition);
      expect(labels.map((l) => l.docId)).toEqual(expected.get(q.id));
    }
  }, 60_000);

  it("annotateCollection (ferret annotate) takes dense candidates from a live encoder too", async () => {
    const expected = await expectedPools();
    const out = join(dir, "cli-out");
    await annotateCollection({
      task: "relevance",
      corpus: join(EXAMPLES, "mini"),
      split: "test",
      candidates: DEPTH,
      limit: 2,
      encoder: { address: live.address, index: "mini" },
      out,
      annotator: new Annotator({
        backend: new OpenAiBackend({ baseUrl: llm.baseUrl, model: "fault-model" }),
      }),
      store,
    });
    const labels = (await readFile(join(out, "labels.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { queryId: string; docId: string });
    for (const q of QUERIES) {
      expect(
        labels
          .filter((l) => l.queryId === q.id)
          .map((l) => l.docId)
          .sort(),
      ).toEqual([...expected.get(q.id)!].sort());
    }
  });

  it("takes BM25 candidates from an OpenSearch index when the request names one", async () => {
    const alias = `annotator-pools-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const { backend } = await OpenSearchBm25.build(docs, { alias, node: OPENSEARCH });
    try {
      const lexical = await backend.searchBatch(QUERIES, { k: DEPTH });
      const qrels = await readBeirQrels(join(EXAMPLES, "mini", "qrels", "test.tsv"));
      const pooled = await serverPools(
        {
          beirDir: "mini",
          documents: [],
          queries: QUERIES.map((q) => ({ ...q, metadata: {} })),
          qrels: undefined,
          split: "test",
          depth: DEPTH,
          opensearchIndex: alias,
          denseIndex: "",
          noHumanPositives: false,
        },
        { corporaRoot: EXAMPLES, opensearchNode: OPENSEARCH },
      );
      for (const { query, passages } of pooled) {
        const expected = top(lexical.get(query.id)!, DEPTH);
        for (const [id, rel] of qrels.get(query.id) ?? [])
          if (rel > 0 && !expected.includes(id)) expected.push(id);
        expect(passages.map((p) => p.id)).toEqual(expected);
      }
    } finally {
      await backend.drop();
      await backend.close();
    }
  });

  it("rejects a beir_dir outside the corpora root", async () => {
    await expect(
      client.submitJob({
        jobId: "escape",
        work: {
          $case: "relevance",
          value: {
            pairs: [],
            pools: {
              beirDir: "../..",
              documents: [],
              queries: [],
              qrels: undefined,
              split: "",
              depth: 0,
              opensearchIndex: "",
              denseIndex: "",
              noHumanPositives: false,
            },
          },
        },
        batchSize: 0,
        pricing: undefined,
      }),
    ).rejects.toMatchObject({
      code: "INVALID_INPUT",
      message: expect.stringContaining('"../.." is not a path under the corpora root'),
    });
  });
});
