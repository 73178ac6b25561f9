import { describe, expect, it } from "vitest";
import { alphaGrid, sweepAlpha } from "./alpha-sweep.js";
import { interpolate } from "./interpolate.js";
import { rankedEntries } from "./ranking.js";
import { ranxFusionFixture, toRun } from "./test-support/ranx-fixture.js";
import type { Qrels, Run } from "./types.js";

/**
 * MRR@10 as ranx computes it (binary relevance, label >= 1; mean over the qrels' queries; a query without
 * results scores 0). A test-local metric: the expected numbers come from ranx, so a wrong metric fails too.
 */
function mrrAt10(run: Run, qrels: Qrels): number {
  let total = 0;
  for (const [qid, judged] of qrels) {
    const ranked = rankedEntries(run.get(qid) ?? new Map()).slice(0, 10);
    const hit = ranked.findIndex(([doc]) => (judged.get(doc) ?? 0) >= 1);
    total += hit < 0 ? 0 : 1 / (hit + 1);
  }
  return total / qrels.size;
}

describe("α sweep matches ranx.optimize_fusion (wsum, min-max, step 0.1)", () => {
  const fixture = ranxFusionFixture();
  const sweep = fixture.alphaSweep;
  const result = sweepAlpha(
    toRun(fixture.inputs.bm25),
    toRun(fixture.inputs.char4),
    toRun(fixture.qrels),
    mrrAt10,
    {
      step: sweep.step,
      normalization: "min-max",
      tuningQueries: sweep.tuningQueries,
    },
  );

  it("scores every α like ranx scores weights (α, 1 − α)", () => {
    expect(result.curve.map((p) => p.alpha)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect([...result.tuningQueries].sort()).toEqual([...sweep.tuningQueries].sort());
    for (const point of result.curve) {
      const ranx = sweep.curve.find((c) => Math.abs((c.weights[0] as number) - point.alpha) < 1e-12);
      expect(ranx, `ranx has no config for α=${point.alpha}`).toBeDefined();
      expect(ranx?.weights[1]).toBeCloseTo(1 - point.alpha, 12);
      expect(point.score).toBeCloseTo(ranx?.score as number, 9);
    }
  });

  it("chooses ranx's best α", () => {
    expect(result.alpha).toBeCloseTo(sweep.bestWeights[0] as number, 12);
    expect(result.score).toBe(Math.max(...result.curve.map((p) => p.score)));
  });

  it("returns the curve point of the α it chose, and interpolate() at that α reproduces the score", () => {
    const tuning = new Set(sweep.tuningQueries);
    const restrict = (run: Run) => new Map([...run].filter(([q]) => tuning.has(q)));
    const fused = interpolate(
      restrict(toRun(fixture.inputs.bm25)),
      restrict(toRun(fixture.inputs.char4)),
      result.alpha,
    );
    expect(mrrAt10(fused, restrict(toRun(fixture.qrels)))).toBe(result.score);
  });
});

describe("α sweep rules", () => {
  const a: Run = new Map([
    [
      "q",
      new Map([
        ["rel", 1],
        ["non", 2],
      ]),
    ],
  ]);
  const b: Run = new Map([
    [
      "q",
      new Map([
        ["rel", 2],
        ["non", 1],
      ]),
    ],
  ]);
  const qrels: Qrels = new Map([["q", new Map([["rel", 1]])]]);
  const precisionAt1 = (run: Run, judged: Qrels) =>
    (judged.get("q")?.get(rankedEntries(run.get("q") ?? new Map())[0]?.[0] ?? "") ?? 0) >= 1 ? 1 : 0;

  it("ties go to the larger α (ranx keeps the last best of its ascending grid)", () => {
    // min-max: a -> rel 0, non 1; b -> rel 1, non 0. α·a + (1−α)·b ranks rel first while α < 0.5.
    const r = sweepAlpha(a, b, qrels, precisionAt1, { grid: [0, 0.25, 0.5, 0.75, 1] });
    expect(r.curve.map((p) => p.score)).toEqual([1, 1, 1, 0, 0]); // α=0.5 ties at 0.5 each; "rel" > "non" by docid desc
    expect(r.alpha).toBe(0.5);
  });

  it("builds 0..1 grids and rejects steps that do not divide 1", () => {
    expect(alphaGrid(0.05)).toHaveLength(21);
    expect(alphaGrid(0.05)[7]).toBe(0.35);
    expect(() => alphaGrid(0.3)).toThrow(/divide 1/);
    expect(() => sweepAlpha(a, b, qrels, precisionAt1, { grid: [1.5] })).toThrow(/\[0, 1\]/);
    expect(() => sweepAlpha(a, b, qrels, precisionAt1, { tuningQueries: ["nope"] })).toThrow(
      /no tuning query/,
    );
  });
});
