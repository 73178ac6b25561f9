import { describe, expect, it } from "vitest";
import { ranxFusionFixture, runMismatches, toRun, queriesWithTies } from "../test-support/ranx-fixture.js";
import { normalizeResults, normalizeRun, type Normalization } from "./normalize.js";

const RANX_NAMES: Record<string, Normalization> = {
  "min-max": "min-max",
  max: "max",
  sum: "sum",
  zmuv: "z-score",
  rank: "rank",
};

describe("normalizations match ranx.normalize (1e-9)", () => {
  const fixture = ranxFusionFixture();
  const sources = { bm25: fixture.inputs.bm25, char4: fixture.inputs.char4, "edge-a": fixture.edgeInputs.a };

  for (const entry of fixture.normalized) {
    const method = RANX_NAMES[entry.norm] as Normalization;
    it(`${entry.norm} on ${entry.input}`, () => {
      const source = sources[entry.input];
      // ranx ranks tied scores in its (unstable-sort) storage order; ours is trec_eval's. Compare rank
      // normalization only where there are no ties; the tie rule is tested by hand below.
      const tied = method === "rank" ? queriesWithTies(source) : new Set<string>();
      const out = normalizeRun(toRun(source), method);
      expect(runMismatches(out, entry.run, (qid) => !tied.has(qid))).toEqual([]);
      expect(Object.keys(entry.run).length).toBeGreaterThan(0);
    });
  }
});

describe("normalization edge cases (hand-computed)", () => {
  const tied = new Map([
    ["d1", 2],
    ["d2", 2],
    ["d3", 2],
  ]);

  it("min-max, sum and z-score map a constant list to zeros (ranx's 1e-9 floor), max divides by the max", () => {
    for (const method of ["min-max", "sum", "z-score", "min-max-centered"] as const) {
      expect([...normalizeResults(tied, method).values()]).toEqual([0, 0, 0]);
    }
    expect([...normalizeResults(tied, "max").values()]).toEqual([1, 1, 1]);
  });

  it("rank normalization breaks ties by docid descending (trec_eval order): 1, 2/3, 1/3", () => {
    const out = normalizeResults(tied, "rank");
    expect(out.get("d3")).toBe(1);
    expect(out.get("d2")).toBeCloseTo(2 / 3, 15);
    expect(out.get("d1")).toBeCloseTo(1 / 3, 15);
  });

  it("min-max-centered is Pyserini's (s − (min+max)/2)/(max − min)", () => {
    // scores 1, 3, 5: mid 3, range 4 -> -0.5, 0, 0.5
    const out = normalizeResults(
      new Map([
        ["a", 1],
        ["b", 3],
        ["c", 5],
      ]),
      "min-max-centered",
    );
    expect(Object.fromEntries(out)).toEqual({ a: -0.5, b: 0, c: 0.5 });
  });

  it("an empty list stays empty; an unknown method is rejected", () => {
    expect(normalizeResults(new Map(), "z-score").size).toBe(0);
    expect(() => normalizeResults(tied, "zmuv" as Normalization)).toThrow(/unknown normalization/);
  });
});
