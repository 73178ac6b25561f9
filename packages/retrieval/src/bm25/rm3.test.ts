import { describe, expect, it } from "vitest";
import { fixtureLines } from "../test-support/fixtures.js";
import { sciFactIndex, sciFactTestQueries } from "../test-support/scifact.js";
import { searchIndex } from "../search/search-index.js";
import { byScoreThenId, rm3ExpandedQuery } from "./rm3.js";

// Reference: Anserini 1.1.1's SearchCollection -bm25 -rm3 -removeQuery on SciFact flat (defaults
// fbTerms = fbDocs = 10, originalQueryWeight = 0.5); its run prints scores rounded to 1e-4 and
// orders ties by document id (fixtures/scifact-test-anserini-bm25-rm3-flat-top100.trec.gz).

function anseriniRm3(): Map<string, { id: string; score: number }[]> {
  const runs = new Map<string, { id: string; score: number }[]>();
  for (const line of fixtureLines("scifact-test-anserini-bm25-rm3-flat-top100.trec.gz")) {
    const [q, , id, , score] = line.split(" ") as [string, string, string, string, string];
    let hits = runs.get(q);
    if (!hits) runs.set(q, (hits = []));
    hits.push({ id, score: Number(score) });
  }
  return runs;
}

describe("RM3 on SciFact", () => {
  const index = sciFactIndex("flat");
  const queries = sciFactTestQueries();

  it("ranks Anserini's top 100 in Anserini's order with Anserini's scores, for all 300 queries", () => {
    const reference = anseriniRm3();
    const mismatches: string[] = [];
    for (const q of queries) {
      const hits = searchIndex(index, q, { k: 1000, removeQuery: true, rm3: true })
        .sort((a, b) => (a.score !== b.score ? b.score - a.score : a.id < b.id ? -1 : 1))
        .slice(0, 100);
      const want = reference.get(q.id) ?? [];
      const sameIds = hits.map((h) => h.id).join(" ") === want.map((h) => h.id).join(" ");
      // Anserini rounds to 1e-4 and then lowers each tied score by 1e-6 per tie.
      const sameScores = hits.every((h, i) => Math.abs(h.score - (want[i]?.score ?? 0)) <= 6e-5);
      if (!sameIds || !sameScores) mismatches.push(q.id);
    }
    expect(mismatches).toEqual([]);
  });

  it("builds the expanded query from the original terms and at most fbTerms feedback terms", () => {
    const q = queries[0] as { id: string; text: string };
    const first = byScoreThenId(index, index.search(q.text, { k: 10 }));
    const expanded = rm3ExpandedQuery(index, q.text, first);
    const original = index.queryTerms(q.text);
    for (const t of original.keys()) expect(expanded.has(t)).toBe(true);
    expect(expanded.size).toBeLessThanOrEqual(original.size + 10);
    expect(expanded.size).toBeGreaterThan(original.size);
    // Two unit-L1 models mixed half and half: the weights sum to 1.
    const total = [...expanded.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 5);
  });

  it("rejects invalid feedback parameters", () => {
    const q = queries[0] as { id: string; text: string };
    const first = index.search(q.text, { k: 10 });
    expect(() => rm3ExpandedQuery(index, q.text, first, { fbDocs: 0 })).toThrow(/fbDocs/);
    expect(() => rm3ExpandedQuery(index, q.text, first, { originalQueryWeight: 1.5 })).toThrow(
      /between 0 and 1/,
    );
  });
});
