import { join } from "node:path";
import { readBeirQrels, type Run } from "@ferret/datasets";
import { aucOfScores } from "@ferret/evaluator";
import { agreementReport } from "@ferret/annotator";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../test-support/ferret-process.js";
import { labelStats } from "./build-report.js";
import { rocCurve, trapezoidArea } from "./roc-curve.js";

const qrels = await readBeirQrels(join(REPO_ROOT, "examples", "mini", "qrels", "test.tsv"));

/** A run over the judged documents whose scores are the grade plus a seeded offset, so relevant and non-relevant overlap and tie. */
function noisyRun(): Run {
  let state = 7;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const run: Run = new Map();
  for (const [qid, docs] of qrels)
    run.set(qid, new Map([...docs].map(([docid, grade]) => [docid, grade + Math.round(next() * 4) / 2])));
  return run;
}

describe("rocCurve", () => {
  it("draws a curve whose area is the evaluator's Mann–Whitney AUC, ties included", () => {
    const run = noisyRun();
    const roc = rocCurve(run, qrels, { maxPoints: 1e9 });
    const pos: number[] = [];
    const neg: number[] = [];
    for (const [qid, docs] of run)
      for (const [docid, score] of docs) ((qrels.get(qid)?.get(docid) ?? 0) >= 1 ? pos : neg).push(score);
    expect(roc.positives).toBe(pos.length);
    expect(roc.negatives).toBe(neg.length);
    expect(roc.auc).toBe(aucOfScores(Float64Array.from(pos), Float64Array.from(neg)));
    expect(trapezoidArea(roc.points)).toBeCloseTo(roc.auc, 12);
    expect(roc.points[0]).toEqual({ x: 0, y: 0 });
    expect(roc.points.at(-1)).toEqual({ x: 1, y: 1 });
  });

  it("thins the curve to at most maxPoints (+ the end point) and keeps both ends", () => {
    const roc = rocCurve(noisyRun(), qrels, { maxPoints: 3 });
    expect(roc.points.length).toBeLessThanOrEqual(4);
    expect(roc.points[0]).toEqual({ x: 0, y: 0 });
    expect(roc.points.at(-1)).toEqual({ x: 1, y: 1 });
  });
});

describe("labelStats", () => {
  it("counts labels per grade and takes κ from the annotator's agreement report", () => {
    // LLM labels: the human qrels with every third judgment's grade moved by one.
    const llm = new Map(
      [...qrels].map(([qid, docs]) => [
        qid,
        new Map([...docs].map(([d, g], i) => [d, i % 3 === 0 ? (g > 0 ? g - 1 : 1) : g])),
      ]),
    );
    const stats = labelStats(llm, qrels, { costUsd: 0.25, promptTokens: 1000, completionTokens: 20 });
    const all = [...llm.values()].flatMap((docs) => [...docs.values()]);
    expect(stats.count).toBe(all.length);
    for (const [grade, n] of Object.entries(stats.grades))
      expect(n).toBe(all.filter((g) => String(g) === grade).length);
    const agreement = agreementReport(qrels, llm);
    expect(stats.kappa).toBe(agreement.kappa);
    expect(stats.kappa).toBeLessThan(1);
    expect(stats.pairs).toBe(all.length);
    expect(stats.tokens).toEqual({ prompt: 1000, completion: 20 });
    expect(labelStats(llm, undefined).kappa).toBeNull();
  });
});
