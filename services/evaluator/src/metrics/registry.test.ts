import { InvalidArgumentError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { compareSpecs, parseMeasures } from "./registry.js";

const names = (input: string | string[]) => parseMeasures(input).map((s) => s.name);

describe("parseMeasures", () => {
  it("accepts trec_eval -m syntax, with trec_eval's default cutoffs when none are given", () => {
    expect(names(["ndcg_cut.10", "P.5,10", "map", "recip_rank", "Rprec", "bpref", "ndcg"])).toEqual([
      "ndcg_cut_10",
      "P_5",
      "P_10",
      "map",
      "recip_rank",
      "Rprec",
      "bpref",
      "ndcg",
    ]);
    // Defaults as in m_P.c / m_success.c: P.5,10,15,20,30,100,200,500,1000 and success.1,5,10.
    expect(names("P")).toEqual(["P_5", "P_10", "P_15", "P_20", "P_30", "P_100", "P_200", "P_500", "P_1000"]);
    expect(names("success")).toEqual(["success_1", "success_5", "success_10"]);
    // Cutoffs are sorted ascending, as trec_eval's get_long_cutoffs does.
    expect(names("recall.100,10")).toEqual(["recall_10", "recall_100"]);
  });

  it("accepts the printed and the friendly names of the same measures", () => {
    expect(names("ndcg_cut_10 P_10 recall_100 map_cut_100 success_10 mrr_cut_10 judged_10 auc_500")).toEqual([
      "ndcg_cut_10",
      "P_10",
      "recall_100",
      "map_cut_100",
      "success_10",
      "mrr_cut_10",
      "judged_10",
      "auc_500",
    ]);
    expect(
      names(
        "nDCG@10,P@5,precision@3,R@100,recall@1000,map@100,AP@10,MRR@10,RR@5,success@1,judged@20,auc@500",
      ),
    ).toEqual([
      "ndcg_cut_10",
      "P_5",
      "P_3",
      "recall_100",
      "recall_1000",
      "map_cut_100",
      "map_cut_10",
      "mrr_cut_10",
      "mrr_cut_5",
      "success_1",
      "judged_20",
      "auc_500",
    ]);
    expect(names(["MRR", "rprec", "R-prec", "auc", "AUC"])).toEqual(["recip_rank", "Rprec", "auc"]);
  });

  it("drops duplicates and keeps the first-seen order", () => {
    expect(names(["ndcg@10", "ndcg_cut.10", "ndcg_cut_10", "map", "ap"])).toEqual(["ndcg_cut_10", "map"]);
  });

  it("rejects unknown measures, naming them and listing the valid ones", () => {
    expect(() => parseMeasures("ndgc@10")).toThrow(InvalidArgumentError);
    expect(() => parseMeasures("ndgc@10")).toThrow(
      /measure "ndgc@10": unknown measure; valid measures: ndcg, ndcg_cut/,
    );
    expect(() => parseMeasures("iprec_at_recall")).toThrow(/"iprec_at_recall"/);
    expect(() => parseMeasures([])).toThrow(InvalidArgumentError);
  });

  it("rejects malformed, zero, duplicate and misplaced cutoffs", () => {
    for (const bad of [
      "ndcg_cut.x",
      "ndcg_cut.",
      "P.5,",
      "P.0",
      "P@-1",
      "P@1.5",
      "recall@",
      "P.5,5",
      "ndcg_cut.10abc",
    ]) {
      expect(() => parseMeasures(bad), bad).toThrow(InvalidArgumentError);
      expect(() => parseMeasures(bad), bad).toThrow(`measure "${bad}"`);
    }
    // trec_eval's gain parameters and a cutoff on a measure without one.
    expect(() => parseMeasures("ndcg.1=3.5")).toThrow(/ndcg takes no parameters/);
    expect(() => parseMeasures("map.5")).toThrow(/did you mean map_cut.5/);
  });

  it("orders measures the way trec_eval prints them", () => {
    const sorted = parseMeasures(
      "auc ndcg_cut.10 success.1 ndcg P.10,5 recip_rank map judged.5 mrr_cut.10 map_cut.10 recall.5 bpref Rprec",
    )
      .sort(compareSpecs)
      .map((s) => s.name);
    expect(sorted).toEqual([
      "map",
      "Rprec",
      "bpref",
      "recip_rank",
      "P_5",
      "P_10",
      "recall_5",
      "ndcg",
      "ndcg_cut_10",
      "map_cut_10",
      "success_1",
      "mrr_cut_10",
      "judged_5",
      "auc",
    ]);
  });
});
