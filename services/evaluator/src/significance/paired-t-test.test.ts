import { describe, expect, it } from "vitest";
import { pairedTTest } from "./paired-t-test.js";
import { perQueryMap, relativelyClose, significanceFixture } from "./test-support/significance-fixture.js";

describe("paired t-test matches scipy.stats.ttest_rel (1e-9 relative)", () => {
  const fixture = significanceFixture();

  it("on every pair of systems and measure of the SciFact runs", () => {
    const problems: string[] = [];
    for (const ref of fixture.ttest) {
      const r = pairedTTest(perQueryMap(ref.control, ref.measure), perQueryMap(ref.treatment, ref.measure));
      if (!relativelyClose(r.statistic, ref.statistic))
        problems.push(`${JSON.stringify(ref)}: t ${r.statistic}`);
      if (!relativelyClose(r.pValue, ref.pValue)) problems.push(`${JSON.stringify(ref)}: p ${r.pValue}`);
      if (r.df !== ref.df) problems.push(`${JSON.stringify(ref)}: df ${r.df}`);
    }
    expect(fixture.ttest.length).toBe(48);
    expect(problems).toEqual([]);
  });

  it("equals ranx.compare's student p-values (ranx calls ttest_rel)", () => {
    for (const ref of fixture.ranxStudent) {
      const r = pairedTTest(perQueryMap(ref.control, ref.measure), perQueryMap(ref.treatment, ref.measure));
      expect(relativelyClose(r.pValue, ref.pValue), JSON.stringify(ref)).toBe(true);
    }
  });

  for (const edge of fixture.ttestEdgeCases) {
    it(`edge case: ${edge.label}`, () => {
      const r = pairedTTest(edge.control, edge.treatment);
      expect(relativelyClose(r.statistic, edge.statistic)).toBe(true);
      expect(relativelyClose(r.pValue, edge.pValue)).toBe(true);
    });
  }

  it("the tail is accurate: the 'tiny p' case is about 1e-74", () => {
    const tiny = fixture.ttestEdgeCases.find((e) => e.label === "tiny p");
    expect(tiny?.pValue).toBeLessThan(1e-70);
  });
});

describe("paired t-test inputs", () => {
  it("pairs qid maps by query and refuses a query only one system has", () => {
    const a = new Map([
      ["q1", 0.5],
      ["q2", 0.25],
    ]);
    const b = new Map([
      ["q2", 0.75],
      ["q1", 1],
    ]);
    // d = [0.5, 0.5]: constant difference -> t = +Infinity, p = 0 (scipy)
    expect(pairedTTest(a, b)).toMatchObject({ statistic: Infinity, pValue: 0, meanDifference: 0.5, df: 1 });
    expect(() => pairedTTest(a, new Map([["q1", 1]]))).toThrow(/only one of the two systems/);
    expect(pairedTTest(a, new Map([["q1", 1]]), { missing: "intersect" }).queries).toBe(1);
    expect(pairedTTest(a, new Map([["q1", 1]]), { missing: "zero" }).meanDifference).toBeCloseTo(0.125, 15);
    expect(() => pairedTTest([1, 2], [1])).toThrow(/differ in length/);
    expect(() => pairedTTest([1, NaN], [1, 2])).toThrow(/not a finite number/);
  });
});
