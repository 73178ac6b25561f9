import { compareCodePoints, rankByTrecOrder } from "@ferret/datasets";
import { describe, expect, it } from "vitest";
import { Bm25Index } from "../bm25/bm25-index.js";
import { Bm25IndexBuilder } from "../bm25/index-builder.js";
import { tieCorpus } from "../test-support/tie-corpus.js";
import { adjustTiedScores } from "./anserini-ties.js";
import { EmbeddedBm25 } from "./embedded-bm25.js";
import { searchIndex } from "./search-index.js";

const corpus = tieCorpus();
const builder = new Bm25IndexBuilder();
for (const d of corpus.docs) builder.add(d);
const index = Bm25Index.fromBuilt(builder.finish());

/** Every matching document with its score (exhaustive, no cut), unordered. */
function allScores(text: string): { doc: number; id: string; score: number }[] {
  const top = index.search(text, { k: index.numDocs, algorithm: "exhaustive" });
  return Array.from(top.docs, (doc, i) => ({
    doc,
    id: index.docIds[doc] as string,
    score: top.scores[i] as number,
  }));
}

describe("Anserini's tie rule on a collection of duplicates and shared norm bytes", () => {
  it("has the ties it is meant to test: duplicates, equal norms of different lengths, ties at many cuts", () => {
    const [a, b] = corpus.sharedNormLengths;
    const short = corpus.docs.filter((d) => d.text.split(" ").length === a || d.text.split(" ").length === b);
    expect(short.length).toBe(60);
    let tiesAtCut = 0;
    for (const q of corpus.queries) {
      const scores = allScores(q.text)
        .map((h) => h.score)
        .sort((x, y) => y - x);
      for (const k of [1, 3, 5, 10]) if (scores.length > k && scores[k - 1] === scores[k]) tiesAtCut++;
    }
    expect(tiesAtCut).toBeGreaterThan(40);
  });

  it("chooses and orders the top k by score, then document id ascending in code point order", () => {
    for (const q of corpus.queries) {
      const reference = allScores(q.text).sort((x, y) => y.score - x.score || compareCodePoints(x.id, y.id));
      for (const k of [1, 2, 3, 5, 10, 50]) {
        const want = reference.slice(0, k).map((h) => h.id);
        for (const algorithm of ["maxscore", "exhaustive"] as const) {
          const top = index.search(q.text, { k, algorithm, tieBreak: "docid" });
          expect(
            Array.from(top.docs, (d) => index.docIds[d]),
            `${q.id} k=${k} ${algorithm}`,
          ).toEqual(want);
        }
      }
    }
  });

  it("keeps Lucene's index order without it", () => {
    for (const q of corpus.queries) {
      const reference = allScores(q.text).sort((x, y) => y.score - x.score || x.doc - y.doc);
      for (const k of [1, 3, 10]) {
        const top = index.search(q.text, { k });
        expect(Array.from(top.docs), `${q.id} k=${k}`).toEqual(reference.slice(0, k).map((h) => h.doc));
      }
    }
  });

  it("writes scores trec_eval ranks in the same order, in one thread or a worker pool", async () => {
    const backend = new EmbeddedBm25(index);
    try {
      const pooled = await backend.searchBatch(corpus.queries, { k: 20, ties: "anserini", threads: 2 });
      let tiedPairs = 0;
      for (const q of corpus.queries) {
        const hits = searchIndex(index, q, { k: 20, ties: "anserini" });
        const raw = searchIndex(index, q, { k: 20, ties: "lucene" });
        for (let i = 1; i < raw.length; i++) if (raw[i]?.score === raw[i - 1]?.score) tiedPairs++;
        // trec_eval re-sorts by score: the adjusted scores must give back the hits' own order.
        const resorted = rankByTrecOrder(new Map(hits.map((h) => [h.id, h.score]))).map(([id]) => id);
        expect(resorted, q.id).toEqual(hits.map((h) => h.id));
        expect(pooled.get(q.id), q.id).toEqual(new Map(hits.map((h) => [h.id, h.score])));
      }
      expect(tiedPairs).toBeGreaterThan(100);
    } finally {
      await backend.close();
    }
  });

  it("removes the query's own document after retrieving and adjusting, as Anserini's -removeQuery", () => {
    const q = { id: corpus.docs[0]?.id as string, text: corpus.docs[0]?.text as string };
    const all = searchIndex(index, q, { k: 10, ties: "anserini" });
    const removed = searchIndex(index, q, { k: 10, ties: "anserini", removeQuery: true });
    expect(all.some((h) => h.id === q.id)).toBe(true);
    expect(removed).toEqual(all.filter((h) => h.id !== q.id));
  });

  it("rejects an unknown tie rule", () => {
    expect(() => searchIndex(index, corpus.queries[0]!, { ties: "trec" as never })).toThrow(
      /ties must be one of/,
    );
  });
});

describe("adjustTiedScores (Anserini's ScoreTiesAdjusterReranker)", () => {
  it("rounds to 4 decimals and lowers the i-th document of a run of ties by i · 1e-6", () => {
    const adjusted = adjustTiedScores(Float32Array.from([3, 2.5, 2.5, 2.5, 2.49996, 1.25, 1.2500001]));
    expect(Array.from(adjusted, (s) => s.toFixed(6))).toEqual([
      "3.000000",
      "2.500000",
      "2.499999",
      "2.499998",
      "2.499997",
      "1.250000",
      "1.249999",
    ]);
  });

  it("computes in float as Java does: above 32 a 1e-6 step is below half an ulp and the tie stays", () => {
    const adjusted = adjustTiedScores(Float32Array.from([40, 40, 20, 20]));
    expect(adjusted[1]).toBe(adjusted[0]);
    expect(adjusted[3]).toBeLessThan(adjusted[2] as number);
  });
});
