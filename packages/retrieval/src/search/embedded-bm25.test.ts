import { describe, expect, it } from "vitest";
import { sciFactDocs, sciFactTestQueries } from "../test-support/scifact.js";
import { EmbeddedBm25 } from "./embedded-bm25.js";

// Worker threads run the compiled worker (dist/search/search-worker.js): `turbo run test` builds first.

describe("EmbeddedBm25 batch search", () => {
  it("returns the same run on 1 thread and on a 2-worker pool, with progress", async () => {
    const progress: number[] = [];
    const backend = await EmbeddedBm25.build(sciFactDocs(), { onProgress: (n) => progress.push(n) });
    expect(progress.at(-1)).toBe(5183);
    const queries = sciFactTestQueries();
    const single = await backend.searchBatch(queries, { k: 100, threads: 1, removeQuery: true });
    const seen: number[] = [];
    const pooled = await backend.searchBatch(queries, {
      k: 100,
      threads: 2,
      removeQuery: true,
      onProgress: (done) => seen.push(done),
    });
    expect(pooled.size).toBe(300);
    for (const q of queries) expect([...(pooled.get(q.id) ?? [])]).toEqual([...(single.get(q.id) ?? [])]);
    expect(seen.at(-1)).toBe(300);
    // RM3 runs in the workers too.
    const rm3Pooled = await backend.searchBatch(queries.slice(0, 20), { k: 10, threads: 2, rm3: true });
    const rm3Single = await backend.searchBatch(queries.slice(0, 20), { k: 10, threads: 1, rm3: true });
    expect([...rm3Pooled].map(([q, m]) => [q, [...m]])).toEqual([...rm3Single].map(([q, m]) => [q, [...m]]));
    await backend.close();
  });
});
