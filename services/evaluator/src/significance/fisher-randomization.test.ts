import { describe, expect, it } from "vitest";
import { exactPermutationTest, fisherRandomizationTest } from "./fisher-randomization.js";
import { perQueryMap, significanceFixture } from "./test-support/significance-fixture.js";

/**
 * Monte-Carlo checks: two estimates of the same p-value from R1 and R2 independent rounds differ by a normal
 * error with variance p(1 − p)(1/R1 + 1/R2); we accept 4 standard errors (plus half a count, for p near 0/1).
 * Our generator is seeded, so each check is deterministic once it passes.
 */
function withinMonteCarloError(
  ours: number,
  oursRounds: number,
  ref: number,
  refRounds: number | null,
): boolean {
  const p = (ours + ref) / 2;
  const variance = p * (1 - p) * (1 / oursRounds + (refRounds === null ? 0 : 1 / refRounds));
  return Math.abs(ours - ref) <= 4 * Math.sqrt(variance) + 0.5 / oursRounds;
}

describe("exact permutation p-values match a numpy enumeration of all 2^n sign flips", () => {
  for (const ref of significanceFixture().exactPermutation) {
    it(`${ref.control} vs ${ref.treatment}, ${ref.measure}, ${ref.queries} queries: p = ${ref.pValue}`, () => {
      const r = exactPermutationTest(ref.controlValues, ref.treatmentValues);
      expect(r.exact).toBe(true);
      expect(r.pValue).toBe(ref.pValue); // count / 2^m on both sides: exactly representable
    });

    it(`Monte Carlo (20,000 rounds) agrees with the exact p within its error: ${ref.measure}, ${ref.queries} queries`, () => {
      const r = fisherRandomizationTest(ref.controlValues, ref.treatmentValues, {
        rounds: 20_000,
        exact: "never",
      });
      expect(r.exact).toBe(false);
      expect(
        withinMonteCarloError(r.pValue, r.rounds, ref.pValue, null),
        `${r.pValue} vs ${ref.pValue}`,
      ).toBe(true);
    });
  }
});

describe("Fisher randomization test agrees with ranx statistically", () => {
  const fixture = significanceFixture();

  it("with ranx's 200,000-permutation estimates (12 system pairs × measures)", () => {
    const problems: string[] = [];
    for (const ref of fixture.ranxFisherLarge) {
      const r = fisherRandomizationTest(
        perQueryMap(ref.control, ref.measure),
        perQueryMap(ref.treatment, ref.measure),
        {
          rounds: 20_000,
          exact: "never",
        },
      );
      if (!withinMonteCarloError(r.pValue, r.rounds, ref.pValue, ref.permutations)) {
        problems.push(`${ref.treatment} ${ref.measure}: ours ${r.pValue}, ranx ${ref.pValue}`);
      }
    }
    expect(fixture.ranxFisherLarge.length).toBe(12);
    expect(problems).toEqual([]);
  });

  it("with ranx.compare(stat_test='fisher', n_permutations=1000, random_seed=42), same settings", () => {
    const problems: string[] = [];
    for (const ref of fixture.ranxFisher1000Seed42) {
      const r = fisherRandomizationTest(
        perQueryMap(ref.control, ref.measure),
        perQueryMap(ref.treatment, ref.measure),
        {
          rounds: 1000,
          seed: 42,
          exact: "never",
        },
      );
      if (!withinMonteCarloError(r.pValue, 1000, ref.pValue, 1000)) {
        problems.push(`${ref.control}/${ref.treatment} ${ref.measure}: ours ${r.pValue}, ranx ${ref.pValue}`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe("Fisher randomization test behaviour", () => {
  const exactCase = significanceFixture().exactPermutation[0];
  const control = exactCase?.controlValues ?? [];
  const treatment = exactCase?.treatmentValues ?? [];

  it("is reproducible for a seed", () => {
    const a = fisherRandomizationTest(control, treatment, { rounds: 500, seed: 7, exact: "never" });
    const b = fisherRandomizationTest(control, treatment, { rounds: 500, seed: 7, exact: "never" });
    expect(a.pValue).toBe(b.pValue);
    expect(a.standardError).toBeCloseTo(Math.sqrt((a.pValue * (1 - a.pValue)) / 500), 15);
  });

  it('"auto" enumerates when 2^m <= rounds, giving the exact p-value', () => {
    const r = fisherRandomizationTest(control, treatment, { rounds: 2 ** 20 });
    expect(r.exact).toBe(true);
    expect(r.pValue).toBe(exactCase?.pValue);
  });

  it("ignores tied queries and gives p = 1 when the systems never differ", () => {
    expect(exactPermutationTest([0.5, 0.5, 0.2], [0.5, 0.5, 0.2]).pValue).toBe(1);
    // d = [1, 0, 0]: patterns ±1 both reach |1| -> p = 1; d = [1, 1]: |±1 ± 1| >= 2 for 2 of 4 -> 0.5
    expect(exactPermutationTest([0, 0.3, 0.3], [1, 0.3, 0.3]).pValue).toBe(1);
    expect(exactPermutationTest([0, 0], [1, 1]).pValue).toBe(0.5);
  });

  it('"plus-one" never reports 0', () => {
    const big = Array.from({ length: 60 }, (_, i) => i / 60);
    const r = fisherRandomizationTest(
      big,
      big.map((x) => x + 0.5),
      { rounds: 100, correction: "plus-one" },
    );
    expect(r.pValue).toBe(1 / 101);
  });
});
