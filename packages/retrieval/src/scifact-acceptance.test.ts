import { describe, expect, it } from "vitest";
import { fixtureJson } from "./test-support/fixtures.js";
import { sciFactIndex, sciFactQrels, sciFactTestQueries } from "./test-support/scifact.js";
import { meanNdcgAndRecall } from "./test-support/trec-metrics.js";
import { searchIndex } from "./search/search-index.js";

// Acceptance: SciFact test, 1000 hits, -removeQuery, Anserini's tie rule, k1 = 0.9, b = 0.4. Targets are Anserini's
// regression numbers (beir-v1.0.0-scifact.flat / .multifield), which Anserini 1.1.1 reproduces
// (fixtures/scifact-test-anserini-metrics.json, trec_eval via pytrec_eval).

interface Metrics {
  ndcg_cut_10: number;
  recall_100: number;
}
const anserini = fixtureJson<Record<string, Metrics>>("scifact-test-anserini-metrics.json");

function evaluate(layout: "flat" | "multifield", rm3: boolean) {
  const index = sciFactIndex(layout);
  const run = new Map(
    sciFactTestQueries().map(
      (q) => [q.id, searchIndex(index, q, { k: 1000, removeQuery: true, rm3, ties: "anserini" })] as const,
    ),
  );
  return meanNdcgAndRecall(run, sciFactQrels("test"));
}

describe("SciFact acceptance (embedded BM25)", () => {
  it("flat: nDCG@10 = 0.6789 ± 0.002 and R@100 = 0.9253 ± 0.003", () => {
    const m = evaluate("flat", false);
    expect(m.queries).toBe(300);
    expect(Math.abs(m.ndcg - 0.6789)).toBeLessThanOrEqual(0.002);
    expect(Math.abs(m.recall - 0.9253)).toBeLessThanOrEqual(0.003);
    expect(m.ndcg).toBeCloseTo((anserini["bm25-flat"] as Metrics).ndcg_cut_10, 5);
    expect(m.recall).toBeCloseTo((anserini["bm25-flat"] as Metrics).recall_100, 5);
  });

  it("multifield: Anserini's 0.6647 (0.9076)", () => {
    const m = evaluate("multifield", false);
    expect(Math.abs(m.ndcg - 0.6647)).toBeLessThanOrEqual(0.002);
    expect(Math.abs(m.recall - 0.9076)).toBeLessThanOrEqual(0.003);
    expect(m.ndcg).toBeCloseTo((anserini["bm25-multifield"] as Metrics).ndcg_cut_10, 5);
  });

  it("flat + RM3 (fbTerms 10, fbDocs 10, weight 0.5): Anserini's nDCG@10 and R@100", () => {
    const m = evaluate("flat", true);
    const ref = anserini["bm25-rm3-flat"] as Metrics;
    expect(m.ndcg).toBeCloseTo(ref.ndcg_cut_10, 5);
    expect(m.recall).toBeCloseTo(ref.recall_100, 5);
  });
});
