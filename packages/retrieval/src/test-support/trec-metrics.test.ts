import { describe, expect, it } from "vitest";
import { fixtureJson, fixtureLines } from "./fixtures.js";
import { sciFactQrels } from "./scifact.js";
import { meanNdcgAndRecall } from "./trec-metrics.js";

interface AnseriniMetrics {
  "bm25-rm3-flat": { ndcg_cut_10: number; recall_100: number };
}

describe("meanNdcgAndRecall", () => {
  it("reproduces trec_eval's ndcg_cut_10 and recall_100 on Anserini's SciFact BM25+RM3 run", () => {
    // The fixture holds the top 100 of Anserini's run; both measures only look that deep.
    const run = new Map<string, Map<string, number>>();
    for (const line of fixtureLines("scifact-test-anserini-bm25-rm3-flat-top100.trec.gz")) {
      const [q, , d, , s] = line.split(" ") as [string, string, string, string, string];
      let m = run.get(q);
      if (!m) run.set(q, (m = new Map()));
      m.set(d, Number(s));
    }
    const expected = fixtureJson<AnseriniMetrics>("scifact-test-anserini-metrics.json")["bm25-rm3-flat"];
    const got = meanNdcgAndRecall(run, sciFactQrels("test"));
    expect(got.queries).toBe(300);
    expect(got.ndcg).toBeCloseTo(expected.ndcg_cut_10, 6);
    expect(got.recall).toBeCloseTo(expected.recall_100, 6);
  });
});
