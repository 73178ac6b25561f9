/**
 * Server-side pools through the corpus cache: the same pools as a request that reads the corpus itself,
 * one read per corpus version (a second request is a hit; an edited corpus is read again), and an entry
 * evicted while a request still searches it stays open until that request releases it.
 * Corpus: a copy of examples/mini (Cranfield subset) in a temp dir.
 */
import { appendFile, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CandidatePools } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CorpusIndexCache } from "./corpus-index-cache.js";
import { serverPools } from "./server-pools.js";

const MINI = fileURLToPath(new URL("../../../../examples/mini", import.meta.url));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ferret-corpus-cache-"));
  await cp(MINI, join(root, "a"), { recursive: true });
  await cp(MINI, join(root, "b"), { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const spec = (beirDir: string, queries: { id: string; text: string }[] = []): CandidatePools => ({
  beirDir,
  documents: [],
  queries: queries.map((q) => ({ ...q, metadata: {} })),
  qrels: undefined,
  split: queries.length === 0 ? "test" : "",
  depth: 5,
  opensearchIndex: "",
  denseIndex: "",
  noHumanPositives: false,
});

const ids = (pooled: Awaited<ReturnType<typeof serverPools>>) =>
  pooled.map(({ query, passages }) => [query.id, passages.map((p) => p.id)]);

describe("CorpusIndexCache", () => {
  it("gives the pools a per-request read gives, reads each corpus version once", async () => {
    const cache = new CorpusIndexCache(1);
    try {
      const uncached = await serverPools(spec("a"), { corporaRoot: root });
      const first = await serverPools(spec("a"), { corporaRoot: root, corpusCache: cache });
      const second = await serverPools(spec("a"), { corporaRoot: root, corpusCache: cache });
      expect(ids(first)).toEqual(ids(uncached));
      expect(ids(second)).toEqual(ids(uncached));
      expect(uncached.length).toBeGreaterThan(0);
      expect(cache.stats()).toEqual({ hits: 1, misses: 1, entries: 1 });

      // an edited corpus (a new document only it can match) is read again
      const probe = [{ id: "qz", text: "zzyzxquux" }];
      expect(ids(await serverPools(spec("a", probe), { corporaRoot: root, corpusCache: cache }))).toEqual([
        ["qz", []],
      ]);
      await appendFile(
        join(root, "a", "corpus.jsonl"),
        `\n${JSON.stringify({ _id: "new-1", title: "", text: "zzyzxquux wing" })}\n`,
      );
      expect(ids(await serverPools(spec("a", probe), { corporaRoot: root, corpusCache: cache }))).toEqual([
        ["qz", ["new-1"]],
      ]);
      expect(cache.stats()).toEqual({ hits: 2, misses: 2, entries: 1 });
    } finally {
      await cache.close();
    }
  });

  it("closes an evicted entry only once the request using it has released it", async () => {
    const cache = new CorpusIndexCache(1);
    try {
      const a = await cache.acquire(join(root, "b", "corpus.jsonl"));
      const closed: string[] = [];
      const close = a.bm25.close.bind(a.bm25);
      a.bm25.close = async () => {
        closed.push("b");
        await close();
      };
      const other = await cache.acquire(join(MINI, "corpus.jsonl")); // capacity 1: evicts the first
      expect(cache.stats()).toMatchObject({ misses: 2, entries: 1 });
      await new Promise((r) => setImmediate(r));
      expect(closed).toEqual([]); // still in use
      const query = { id: "q", text: "wing slipstream" };
      expect((await a.bm25.searchBatch([query], { k: 3, threads: 2 })).get("q")?.size).toBe(3);
      await a.release();
      expect(closed).toEqual(["b"]);
      await other.release();
      // the evicted corpus is read anew
      const again = await cache.acquire(join(root, "b", "corpus.jsonl"));
      await again.release();
      expect(cache.stats()).toMatchObject({ hits: 0, misses: 3 });
    } finally {
      await cache.close();
    }
  });
});
