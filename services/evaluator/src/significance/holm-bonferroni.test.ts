import { describe, expect, it } from "vitest";
import { holmBonferroni } from "./holm-bonferroni.js";
import { significanceFixture } from "./test-support/significance-fixture.js";

describe("Holm–Bonferroni matches statsmodels multipletests(method='holm')", () => {
  for (const c of significanceFixture().holm) {
    for (const ref of c.results) {
      it(`${c.label} at α=${ref.alpha}`, () => {
        const r = holmBonferroni(c.pValues, ref.alpha);
        expect(r.reject).toEqual(ref.reject);
        r.adjusted.forEach((p, i) => expect(p).toBeCloseTo(ref.adjusted[i] as number, 14));
      });
    }
  }

  it("treats NaN as never significant and keeps the others' adjustment as if it were 1", () => {
    const r = holmBonferroni([0.01, NaN, 0.02], 0.05);
    expect(r.reject).toEqual([true, false, true]);
    expect(r.adjusted[0]).toBeCloseTo(0.03, 15); // 3 × 0.01
    expect(r.adjusted[2]).toBeCloseTo(0.04, 15); // 2 × 0.02
    expect(r.adjusted[1]).toBeNaN();
    expect(() => holmBonferroni([1.5])).toThrow(/\[0, 1\]/);
  });
});
