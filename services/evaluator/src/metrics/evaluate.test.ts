/**
 * A hand-computed example (values worked out in the comments) covering every measure, -c, -l and -M.
 *
 * Query A: qrels d1:2 d2:1 d3:0 d4:1 (not retrieved) d5:-1; relevant at -l1: d1 d2 d4 (R = 3), judged
 *   non-relevant: d3 (N = 1). Run: x .9, d2 .8, d3 .7, d5 .6, d1 .6. d5 and d1 tie; docids descending
 *   puts d5 first, so the ranking is x(nonpool) d2(1) d3(0) d5(unjudged) d1(2): relevant at ranks 2 and 5.
 * Query B: qrels e1:0 only; run e1 .3, e2 .2. Query C: in the qrels (c1:1), not in the run. Query D: only in
 * the run (ignored).
 */
import { InvalidArgumentError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluate.js";

const qrels = new Map([
  [
    "A",
    new Map([
      ["d1", 2],
      ["d2", 1],
      ["d3", 0],
      ["d4", 1],
      ["d5", -1],
    ]),
  ],
  ["B", new Map([["e1", 0]])],
  ["C", new Map([["c1", 1]])],
]);
const run = new Map([
  [
    "A",
    new Map([
      ["x", 0.9],
      ["d2", 0.8],
      ["d3", 0.7],
      ["d1", 0.6],
      ["d5", 0.6],
    ]),
  ],
  [
    "B",
    new Map([
      ["e2", 0.2],
      ["e1", 0.3],
    ]),
  ],
  ["D", new Map([["z", 1]])],
]);
const ALL =
  "map Rprec bpref recip_rank P.1,2,5,10 recall.2,5 ndcg ndcg_cut.2,5 map_cut.2 success.1,2 mrr_cut.1,2 judged.2,5 auc auc.500";
const L = Math.log2;

describe("evaluate (hand-computed)", () => {
  const ev = evaluate(run, qrels, ALL);
  const a = ev.perQuery.get("A") as Record<string, number>;

  it("computes trec_eval's measures for query A", () => {
    expect(a["P_1"]).toBe(0);
    expect(a["P_2"]).toBe(0.5);
    expect(a["P_5"]).toBe(0.4); // 2 relevant in 5
    expect(a["P_10"]).toBe(0.2); // missing ranks count as non-relevant
    expect(a["recall_2"]).toBe(1 / 3);
    expect(a["recall_5"]).toBe(2 / 3);
    expect(a["map"]).toBe((1 / 2 + 2 / 5) / 3); // divided by R = 3, d4 unretrieved
    expect(a["map_cut_2"]).toBe(1 / 2 / 3);
    expect(a["recip_rank"]).toBe(0.5);
    expect(a["Rprec"]).toBe(1 / 3); // top R = 3: x d2 d3
    // bpref: d2 has no judged non-relevant above (+1); d1 has d3 above: 1 - min(1,3)/min(1,3) = 0.
    expect(a["bpref"]).toBe(1 / 3);
    expect(a["success_1"]).toBe(0);
    expect(a["success_2"]).toBe(1);
  });

  it("computes nDCG with gain = label, log2(rank + 1) discount and an ideal over all judged labels", () => {
    const dcg5 = 1 / L(3) + 2 / L(6);
    const ideal = 2 / L(2) + 1 / L(3) + 1 / L(4); // gains 2,1,1 (d1, d2, d4)
    expect(a["ndcg"]).toBe(dcg5 / ideal);
    expect(a["ndcg_cut_5"]).toBe(dcg5 / ideal);
    expect(a["ndcg_cut_2"]).toBe(1 / L(3) / (2 / L(2) + 1 / L(3)));
  });

  it("computes Ferret's mrr_cut, judged and auc", () => {
    expect(a["mrr_cut_1"]).toBe(0);
    expect(a["mrr_cut_2"]).toBe(0.5);
    expect(a["judged_2"]).toBe(0.5); // x unjudged, d2 judged
    expect(a["judged_5"]).toBe(0.8); // d5's -1 label still makes it judged (it is in the qrels)
    // Judged negatives: d3 (.7). Positives d2 (.8) beats it, d1 (.6) does not: 1/2.
    expect(a["auc"]).toBe(0.5);
    // Top-500 negatives: x .9, d3 .7, d5 .6: d2 beats 2, d1 ties d5 (1/2): 2.5 / 6.
    expect(a["auc_500"]).toBe(2.5 / 6);
  });

  it("evaluates a query without relevant documents and leaves its auc undefined", () => {
    const b = ev.perQuery.get("B") as Record<string, number>;
    expect(b["map"]).toBe(0);
    expect(b["ndcg"]).toBe(0);
    expect(b["bpref"]).toBe(0);
    expect(b["judged_2"]).toBe(0.5);
    expect("auc" in b).toBe(false);
  });

  it("averages over the queries with both results and judgments", () => {
    expect([...ev.perQuery.keys()]).toEqual(["A", "B"]);
    expect(ev.numQueries).toBe(2);
    expect(ev.mean["P_5"]).toBe((0.4 + 0) / 2);
    expect(ev.mean["auc"]).toBe(0.5); // only A defines it
    expect(ev.meanCount["auc"]).toBe(1);
    expect(ev.meanCount["P_5"]).toBe(2);
    // Pooled: positives .8 .6; judged negatives .7 (A) and .3 (B): (2 + 1) / 4.
    expect(ev.globalAuc["auc"]).toBe(0.75);
    // Top-500 negatives .9 .7 .6 .3 .2: .8 beats 4, .6 beats 2 and ties 1: 6.5 / 10.
    expect(ev.globalAuc["auc_500"]).toBe(0.65);
  });

  it("with completeQueries (-c) scores the missing qrels query 0 and divides by all qrels queries", () => {
    const c = evaluate(run, qrels, ALL, { completeQueries: true });
    expect([...c.perQuery.keys()]).toEqual(["A", "B", "C"]);
    expect(c.numQueries).toBe(3);
    expect(c.perQuery.get("C")?.["P_5"]).toBe(0);
    expect(c.mean["P_5"]).toBe(0.4 / 3);
    expect(c.mean["auc"]).toBe(0.5);
  });

  it("applies the relevance threshold (-l) to every measure except nDCG's gains", () => {
    const l2 = evaluate(run, qrels, ALL, { relevanceThreshold: 2 });
    const a2 = l2.perQuery.get("A") as Record<string, number>;
    expect(a2["P_5"]).toBe(0.2); // only d1 (label 2) is relevant
    expect(a2["map"]).toBe(1 / 5); // R = 1
    expect(a2["ndcg"]).toBe(a["ndcg"]);
    // bpref at -l2: N = d2, d3 (labels 1, 0); d1 at rank 5 has both above: 1 - min(2,1)/min(2,1) = 0.
    expect(a2["bpref"]).toBe(0);
  });

  it("cuts rankings at maxDocsPerQuery (-M) before measuring", () => {
    const m3 = evaluate(run, qrels, ALL, { maxDocsPerQuery: 3 });
    const a3 = m3.perQuery.get("A") as Record<string, number>;
    expect(a3["P_5"]).toBe(0.2);
    expect(a3["map"]).toBe(1 / 2 / 3);
  });

  it("ranks only judged documents with judgedOnly (-J)", () => {
    const j = evaluate(run, qrels, ALL, { judgedOnly: true }).perQuery.get("A") as Record<string, number>;
    // Ranking d2 d3 d1 (x unjudged, d5's negative label dropped).
    expect(j["P_2"]).toBe(0.5);
    expect(j["map"]).toBe((1 / 1 + 2 / 3) / 3);
    expect(j["judged_5"]).toBe(1);
  });

  it("fails like trec_eval when no query has both results and judgments", () => {
    expect(() => evaluate(new Map([["D", new Map([["z", 1]])]]), qrels, "map")).toThrow(InvalidArgumentError);
    expect(() => evaluate(run, qrels, "ndcg@x")).toThrow(/measure "ndcg@x"/);
  });
});
