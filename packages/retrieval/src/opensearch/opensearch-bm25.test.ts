import { rankByTrecOrder, type Run } from "@ferret/datasets";
import { Client } from "@opensearch-project/opensearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { searchIndex } from "../search/search-index.js";
import type { SearchHit } from "../search/lexical-backend.js";
import { sciFactDocs, sciFactIndex, sciFactQrels, sciFactTestQueries } from "../test-support/scifact.js";
import { meanNdcgAndRecall } from "../test-support/trec-metrics.js";
import { startFaultInjectionProxy } from "../test-support/fault-injection-proxy.js";
import { tieCorpus } from "../test-support/tie-corpus.js";
import { EmbeddedBm25 } from "../search/embedded-bm25.js";
import type { IngestProgress } from "./bulk-ingest.js";
import { OpenSearchBm25, defaultOpenSearchNode } from "./opensearch-bm25.js";

// Needs the dev OpenSearch (`infra/dev/opensearch.sh start`, started by `make test`); fails, not
// skips, when it is unreachable.

const node = defaultOpenSearchNode();
const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
const client = new Client({ node, requestTimeout: 60_000 });

function topIds(hits: readonly SearchHit[], n: number): string[] {
  return rankByTrecOrder(new Map(hits.map((h) => [h.id, h.score])), n).map(([id]) => id);
}

describe("OpenSearch BM25 backend vs embedded on SciFact", () => {
  const queries = sciFactTestQueries();
  const qrels = sciFactQrels("test");
  const embedded = sciFactIndex("flat");
  const embeddedRun = new Map(
    queries.map((q) => [q.id, searchIndex(embedded, q, { k: 1000, removeQuery: true })]),
  );
  const backends: OpenSearchBm25[] = [];

  beforeAll(async () => {
    try {
      await client.info();
    } catch (err) {
      throw new Error(
        `OpenSearch is not reachable at ${node} (start it: infra/dev/opensearch.sh start): ${String(err)}`,
      );
    }
  });

  afterAll(async () => {
    for (const b of backends) {
      await b.drop().catch(() => undefined);
      await b.close();
    }
    await client.close();
  });

  // The acceptance comparison runs 1,000 hits with client-side analysis; the server-side check looks
  // at the top 100, all nDCG@10 and R@100 need.
  it.each([
    ["client", 1000],
    ["server", 100],
  ] as const)(
    "%s-side analysis (%i hits): top-10 overlap >= 0.99 and nDCG@10 within 0.002 of embedded",
    async (analysis, k) => {
      const { backend, indexed } = await OpenSearchBm25.build(sciFactDocs(), {
        client,
        alias: `ferret-test-bm25-${analysis}-${suffix}`,
        analysis,
      });
      backends.push(backend);
      expect(indexed).toBe(5183);
      expect(backend.meta.analysis).toBe(analysis);
      const run = await backend.searchBatch(queries, { k, removeQuery: true });
      let overlap = 0;
      for (const q of queries) {
        const os = [...(run.get(q.id) ?? new Map<string, number>())].map(([id, score]) => ({ id, score }));
        const a = new Set(topIds(embeddedRun.get(q.id) ?? [], 10));
        overlap += topIds(os, 10).filter((id) => a.has(id)).length / 10;
      }
      const os = meanNdcgAndRecall(run, qrels);
      const em = meanNdcgAndRecall(embeddedRun, qrels);
      expect(overlap / queries.length).toBeGreaterThanOrEqual(0.99);
      expect(Math.abs(os.ndcg - em.ndcg)).toBeLessThanOrEqual(0.002);
      expect(Math.abs(os.ndcg - 0.6789)).toBeLessThanOrEqual(0.002);
      expect(Math.abs(os.recall - 0.9253)).toBeLessThanOrEqual(0.003);
    },
    120_000,
  );

  it("Anserini's tie rule: the same ids and written scores as embedded on a collection of ties", async () => {
    const corpus = tieCorpus();
    const { backend } = await OpenSearchBm25.build(corpus.docs, {
      client,
      alias: `ferret-test-bm25-ties-${suffix}`,
      analysis: "client",
    });
    backends.push(backend);
    const embeddedTies = await EmbeddedBm25.build(corpus.docs);
    const options = { k: 10, ties: "anserini" as const, removeQuery: true };
    const want = await embeddedTies.searchBatch(corpus.queries, { ...options, threads: 1 });
    const got = await backend.searchBatch(corpus.queries, options);
    const written = (run: Run, q: string) =>
      rankByTrecOrder(run.get(q) ?? new Map()).map(([id, score]) => `${id} ${score.toFixed(6)}`);
    for (const q of corpus.queries) expect(written(got, q.id), q.id).toEqual(written(want, q.id));
    expect(await backend.documentIds(["1", "q1", "\u{1F600}"])).toEqual(["1", "\u{1F600}"]);
  }, 60_000);

  it("reindexes behind the alias without downtime and deletes the old index", async () => {
    const alias = `ferret-test-bm25-reindex-${suffix}`;
    const docs = sciFactDocs();
    const first = await OpenSearchBm25.build(docs.slice(0, 300), { client, alias, analysis: "client" });
    backends.push(first.backend);
    const reader = await OpenSearchBm25.open({ client, alias });
    const probe = { id: "probe", text: "cancer risk vitamin supplementation" };
    let searches = 0;
    let failures = 0;
    let building = true;
    const readLoop = (async () => {
      while (building) {
        try {
          const hits = await reader.search(probe, { k: 5 });
          if (hits.length === 0) failures++;
          searches++;
        } catch {
          failures++;
        }
      }
    })();
    const second = await OpenSearchBm25.build(docs.slice(0, 1200), { client, alias, analysis: "client" });
    building = false;
    await readLoop;
    backends.push(second.backend);
    expect(searches).toBeGreaterThan(0);
    expect(failures).toBe(0);
    const targets = Object.keys(
      (await client.indices.getAlias({ name: alias })).body as Record<string, unknown>,
    );
    expect(targets).toEqual([second.index]);
    expect((await client.indices.exists({ index: first.index })).body).toBe(false);
    // A document only the new index has is found through the alias.
    const late = docs[1100] as { id: string; title: string };
    const hits = await reader.search({ id: "q", text: late.title }, { k: 10 });
    expect(hits.map((h) => h.id)).toContain(late.id);
    await reader.close();
  }, 120_000);

  it("retries bulk items rejected with 429 and reports progress", async () => {
    const proxy = await startFaultInjectionProxy(node, 2);
    try {
      const progress: IngestProgress[] = [];
      const { backend, indexed } = await OpenSearchBm25.build(sciFactDocs().slice(0, 2500), {
        node: proxy.url,
        alias: `ferret-test-bm25-retry-${suffix}`,
        analysis: "client",
        flushBytes: 200_000,
        onProgress: (p) => progress.push(p),
      });
      // Drop through the direct client: the proxy is gone after this test.
      backends.push(await OpenSearchBm25.open({ client, alias: backend.alias }));
      await backend.close();
      expect(proxy.rejectedBulks).toBe(2);
      expect(indexed).toBe(2500);
      expect(progress.at(-1)).toEqual({ sent: 2500, indexed: 2500, failed: 0 });
      expect(progress.length).toBeGreaterThan(1);
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
