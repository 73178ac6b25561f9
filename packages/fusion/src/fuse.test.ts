import { describe, expect, it } from "vitest";
import { fuse, type FuseOptions } from "./fuse.js";
import type { Normalization } from "./normalize/normalize.js";
import { compareTrecOrder as compareRanked } from "@ferret/datasets";
import { queriesWithTies, ranxFusionFixture, runMismatches, toRun } from "./test-support/ranx-fixture.js";
import type { Run } from "./types.js";

const NORMS: Record<string, Normalization> = {
  "min-max": "min-max",
  max: "max",
  sum: "sum",
  zmuv: "z-score",
  rank: "rank",
};

/** Scores rounded to 12 decimals: the hand-computed values are exact decimals, the floats are not. */
function rounded(results: Map<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(
    [...(results ?? new Map<string, number>())].map(([d, s]) => [d, Math.round(s * 1e12) / 1e12 + 0]),
  );
}

function inOrder(run: Run): boolean {
  for (const results of run.values()) {
    const entries = [...results.entries()];
    for (let i = 1; i < entries.length; i++) {
      if (compareRanked(entries[i - 1] as [string, number], entries[i] as [string, number]) > 0) return false;
    }
  }
  return true;
}

describe("fuse matches ranx.fuse (1e-9)", () => {
  const fixture = ranxFusionFixture();
  const inputs = {
    "bm25+char4": [fixture.inputs.bm25, fixture.inputs.char4],
    edge: [fixture.edgeInputs.a, fixture.edgeInputs.b],
    "bm25+char4+bm25-title": [fixture.inputs.bm25, fixture.inputs.char4, fixture.inputs["bm25-title"]],
  };

  for (const entry of fixture.fused) {
    const normalization: Normalization = entry.norm === null ? "none" : (NORMS[entry.norm] as Normalization);
    const method = ({ wsum: "weighted", sum: "combsum", mnz: "combmnz", rrf: "rrf" } as const)[entry.method];
    it(`${entry.inputs}: ${entry.norm ?? "none"} + ${entry.method} ${JSON.stringify(entry.params)}`, () => {
      const runs = inputs[entry.inputs];
      const options: FuseOptions = {
        method,
        normalization,
        weights: entry.params.weights,
        k: entry.params.k,
      };
      // Rank-based outputs on tied inputs depend on the tie rule (ours: trec_eval's; ranx: its sort's).
      const rankBased = method === "rrf" || normalization === "rank";
      const tied = rankBased ? queriesWithTies(...runs) : new Set<string>();
      const out = fuse(runs.map(toRun), options);
      expect(runMismatches(out, entry.run, (qid) => !tied.has(qid))).toEqual([]);
      expect(inOrder(out)).toBe(true);
    });
  }
});

describe("Pyserini HybridSearcher parity: missing = list minimum, depth k0, top k", () => {
  const fixture = ranxFusionFixture();
  for (const entry of fixture.pyserini) {
    it(`α=${entry.alpha} normalization=${entry.normalization} weight_on_dense=${entry.weightOnDense}`, () => {
      const sparse = toRun(fixture.inputs.bm25);
      const dense = toRun(fixture.inputs.char4);
      const out = fuse([sparse, dense], {
        method: "weighted",
        weights: entry.weightOnDense ? [1, entry.alpha] : [entry.alpha, 1],
        normalization: entry.normalization ? "min-max-centered" : "none",
        missing: "min",
        depth: entry.k0,
        topK: entry.k,
      });
      expect(runMismatches(out, entry.run)).toEqual([]);
      for (const [qid, docs] of Object.entries(entry.run)) {
        // Pyserini sorts by score (tie-free here). JSON objects can't carry order: numeric-looking keys come first.
        const byScore = Object.entries(docs).sort((x, y) => y[1] - x[1]);
        expect([...(out.get(qid)?.keys() ?? [])]).toEqual(byScore.map(([doc]) => doc));
      }
    });
  }
});

describe("fusion rules (hand-computed)", () => {
  const a: Run = new Map([
    [
      "q1",
      new Map([
        ["x", 10],
        ["y", 6],
        ["z", 2],
      ]),
    ],
  ]);
  const b: Run = new Map([
    [
      "q1",
      new Map([
        ["y", 0.9],
        ["w", 0.5],
        ["x", 0.1],
      ]),
    ],
    ["q2", new Map([["v", 3]])],
  ]);
  // min-max: a -> x 1, y 0.5, z 0;  b -> y 1, w 0.5, x 0

  it("missing = zero (ranx): combsum adds 0 for a document a list did not retrieve", () => {
    const q1 = fuse([a, b], { method: "combsum" }).get("q1");
    expect(rounded(q1)).toEqual({ y: 1.5, x: 1, w: 0.5, z: 0 });
  });

  it("missing = min (Pyserini): the list's minimum normalized score, here 0 for min-max", () => {
    const q1 = fuse([a, b], { method: "combsum", normalization: "min-max-centered", missing: "min" }).get(
      "q1",
    );
    // centered: a -> x .5, y 0, z -.5; b -> y .5, w 0, x -.5.  w misses a (min -.5), z misses b (min -.5)
    expect(rounded(q1)).toEqual({ y: 0.5, x: 0, w: -0.5, z: -1 });
  });

  it("combmnz multiplies by the number of lists that retrieved the document", () => {
    const q1 = fuse([a, b], { method: "combmnz" }).get("q1");
    expect(rounded(q1)).toEqual({ y: 3, x: 2, w: 0.5, z: 0 });
  });

  it("rrf: 1/(k + rank), missing adds nothing; ties rank by docid descending", () => {
    const tied: Run = new Map([
      [
        "q",
        new Map([
          ["m", 1],
          ["n", 1],
        ]),
      ],
    ]);
    const out = fuse([tied], { method: "rrf", k: 60 }).get("q");
    expect(out?.get("n")).toBe(1 / 61);
    expect(out?.get("m")).toBe(1 / 62);
  });

  it("weighted: Σ w_i s_i; queries are the union of the runs' (a run without the query contributes nothing)", () => {
    const out = fuse([a, b], { method: "weighted", weights: [0.25, 0.75] });
    expect(rounded(out.get("q1"))).toEqual({ y: 0.875, w: 0.375, x: 0.25, z: 0 });
    // q2 has one document in b: min-max of one score is 0.
    expect(rounded(out.get("q2"))).toEqual({ v: 0 });
  });

  it("depth cuts each input before normalizing; topK cuts the fused list", () => {
    const out = fuse([a, b], { method: "combsum", depth: 2, topK: 2 }).get("q1");
    // a top-2: x 10, y 6 -> x 1, y 0;  b top-2: y .9, w .5 -> y 1, w 0
    expect([...(out ?? new Map()).keys()]).toEqual(["y", "x"]);
    expect(rounded(out)).toEqual({ y: 1, x: 1 });
  });

  it("rejects bad options", () => {
    expect(() => fuse([a, b], { method: "weighted", weights: [1] })).toThrow(/one weight per run/);
    expect(() => fuse([a, b], { method: "combsum", topK: 0 })).toThrow(/positive integer/);
    expect(() => fuse([], { method: "combsum" })).toThrow(/at least one run/);
    expect(() => fuse([a], { method: "rrf", k: -1 })).toThrow(/RRF k/);
  });
});
