import { describe, expect, it } from "vitest";
import { bootstrapMeanCi, pairedBootstrapCi, percentile } from "./bootstrap.js";
import { significanceFixture } from "./test-support/significance-fixture.js";

describe("percentile matches numpy.percentile (linear)", () => {
  for (const ref of significanceFixture().percentile) {
    it(`${ref.values.length} values`, () => {
      ref.q.forEach((q, i) => expect(percentile(ref.values, q)).toBeCloseTo(ref.expected[i] as number, 12));
    });
  }
});

describe("percentile bootstrap CIs agree with scipy.stats.bootstrap(method='percentile') statistically", () => {
  // The fixture holds the mean and sd of each endpoint over 30 scipy seeds. Our endpoint (one draw with the
  // same B) minus that mean has sd ≈ sd·√(1 + 1/30); accept 4 of those.
  for (const ref of significanceFixture().bootstrap) {
    it(`${ref.label}, ${ref.confidence * 100}%, B=${ref.resamples}`, () => {
      const ci = bootstrapMeanCi(ref.values, {
        resamples: ref.resamples,
        confidence: ref.confidence,
        seed: 42,
      });
      const slack = 4 * Math.sqrt(1 + 1 / 30);
      expect(Math.abs(ci.lower - ref.lowerMean)).toBeLessThanOrEqual(slack * ref.lowerSd);
      expect(Math.abs(ci.upper - ref.upperMean)).toBeLessThanOrEqual(slack * ref.upperSd);
      expect(ci.lower).toBeLessThan(ci.estimate);
      expect(ci.upper).toBeGreaterThan(ci.estimate);
      // The spread itself is real (sd > 0), so these bounds are not vacuous.
      expect(ref.lowerSd).toBeGreaterThan(0);
    });
  }
});

describe("bootstrap behaviour", () => {
  it("is reproducible for a seed and pairs by query", () => {
    const a = new Map([
      ["q1", 0.1],
      ["q2", 0.4],
      ["q3", 0.3],
    ]);
    const b = new Map([
      ["q3", 0.5],
      ["q1", 0.2],
      ["q2", 0.4],
    ]);
    const x = pairedBootstrapCi(a, b, { resamples: 200, seed: 3 });
    const y = bootstrapMeanCi([0.1, 0, 0.2], { resamples: 200, seed: 3 }); // d by sorted qid: q1, q2, q3
    expect(x).toEqual(y);
    expect(x.estimate).toBeCloseTo(0.1, 15);
  });

  it("rejects bad options", () => {
    expect(() => bootstrapMeanCi([], {})).toThrow(/empty/);
    expect(() => bootstrapMeanCi([1], { confidence: 1 })).toThrow(/confidence/);
    expect(() => percentile([1], 101)).toThrow(/\[0, 100\]/);
  });
});
