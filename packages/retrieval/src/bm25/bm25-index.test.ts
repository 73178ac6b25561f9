import { describe, expect, it } from "vitest";
import { fixtureLines } from "../test-support/fixtures.js";
import { sciFactIndex, sciFactTestQueries } from "../test-support/scifact.js";

// Reference: Lucene 9.9.1's IndexSearcher with BM25Similarity(0.9, 0.4) over Anserini 1.1.1's
// BeirFlatCollection index of SciFact, Anserini's bag-of-words queries, raw float scores
// (fixtures/lucene-reference/generate.sh, mode bm25-top).

function luceneTop100(): Map<string, { id: string; score: number }[]> {
  const byQuery = new Map<string, { id: string; score: number }[]>();
  for (const line of fixtureLines("scifact-test-lucene-bm25-flat-top100.tsv.gz")) {
    const [q, id, , score] = line.split("\t") as [string, string, string, string];
    let hits = byQuery.get(q);
    if (!hits) byQuery.set(q, (hits = []));
    hits.push({ id, score: Math.fround(Number(score)) });
  }
  return byQuery;
}

describe("Bm25Index on SciFact (flat)", () => {
  const index = sciFactIndex("flat");
  const queries = sciFactTestQueries();

  it("has Lucene's collection statistics", () => {
    expect(index.numDocs).toBe(5183);
    expect(queries).toHaveLength(300);
  });

  it("returns Lucene's top 100, in order, with bit-identical float scores, for all 300 test queries", () => {
    const reference = luceneTop100();
    expect(reference.size).toBe(300);
    const mismatches: string[] = [];
    for (const q of queries) {
      const top = index.search(q.text, { k: 100 });
      const got = Array.from(top.docs, (d, i) => `${index.docIds[d]}:${top.scores[i]}`);
      const want = (reference.get(q.id) ?? []).map((h) => `${h.id}:${h.score}`);
      if (got.join(" ") !== want.join(" ")) mismatches.push(q.id);
    }
    expect(mismatches).toEqual([]);
  });

  it("MaxScore returns exactly the exhaustive top 1000 (docs, order and scores)", () => {
    for (const q of queries) {
      const fast = index.search(q.text, { k: 1000, algorithm: "maxscore" });
      const full = index.search(q.text, { k: 1000, algorithm: "exhaustive" });
      expect(fast.docs).toEqual(full.docs);
      expect(fast.scores).toEqual(full.scores);
    }
  });

  it("answers a k far above the collection size (2^32 - 1, as a gRPC client may send) with every match", () => {
    const query = sciFactTestQueries()[0]!;
    const all = index.search(query.text, { k: index.numDocs });
    for (const algorithm of ["maxscore", "exhaustive"] as const) {
      const huge = index.search(query.text, { k: 2 ** 32 - 1, algorithm });
      expect(Array.from(huge.docs)).toEqual(Array.from(all.docs));
    }
  });
});
