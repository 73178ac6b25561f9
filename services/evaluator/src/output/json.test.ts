import { describe, expect, it } from "vitest";
import { evaluate } from "../metrics/evaluate.js";
import { formatEvaluationJson, toEvaluationJson } from "./json.js";

describe("toEvaluationJson", () => {
  const qrels = new Map([
    [
      "1",
      new Map([
        ["a", 1],
        ["n", 0],
      ]),
    ],
    ["2", new Map([["b", 1]])],
  ]);
  const run = new Map([
    [
      "1",
      new Map([
        ["a", 0.9],
        ["n", 0.1],
      ]),
    ],
    [
      "2",
      new Map([
        ["x", 0.9],
        ["b", 0.5],
      ]),
    ],
  ]);

  it("keeps the requested measure order, raw doubles, and leaves undefined auc out", () => {
    const json = toEvaluationJson(evaluate(run, qrels, ["ndcg@1", "auc", "recip_rank"]));
    expect(json.measures).toEqual(["ndcg_cut_1", "auc", "recip_rank"]);
    expect(json.perQuery["1"]).toEqual({ ndcg_cut_1: 1, auc: 1, recip_rank: 1 });
    expect(json.perQuery["2"]).toEqual({ ndcg_cut_1: 0, recip_rank: 0.5 }); // no judged negative: no auc
    expect(json.mean).toEqual({ ndcg_cut_1: 0.5, auc: 1, recip_rank: 0.75 });
    expect(json.meanCount).toEqual({ ndcg_cut_1: 2, auc: 1, recip_rank: 2 });
    expect(json.numQueries).toBe(2);
    const text = formatEvaluationJson(evaluate(run, qrels, "recip_rank"), { perQuery: false });
    expect(JSON.parse(text)).toMatchObject({ mean: { recip_rank: 0.75 }, perQuery: {} });
  });
});
