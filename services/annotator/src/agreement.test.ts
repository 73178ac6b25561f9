import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { agreementReport, cohenKappa } from "./agreement.js";

interface Case {
  a: number[];
  b: number[];
  kappa: number;
  linear: number;
  quadratic: number;
  labels: number[];
  confusion: number[][];
}
const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/kappa-sklearn.json", import.meta.url), "utf8"),
) as { cases: Case[] };

describe("Cohen's kappa", () => {
  it("matches a hand-computed textbook example (20/5/10/15 table: p_o=.7, p_e=.5, κ=.4)", () => {
    // Wikipedia "Cohen's kappa", worked example: both yes 20, A yes B no 5, A no B yes 10, both no 15.
    const a = [...Array(20).fill(1), ...Array(5).fill(1), ...Array(10).fill(0), ...Array(15).fill(0)];
    const b = [...Array(20).fill(1), ...Array(5).fill(0), ...Array(10).fill(1), ...Array(15).fill(0)];
    expect(cohenKappa(a, b)).toBeCloseTo(0.4, 12);
  });

  it.each(fixture.cases.map((c, i) => [i, c] as const))(
    "matches sklearn cohen_kappa_score, case %i",
    (_, c) => {
      expect(cohenKappa(c.a, c.b)).toBeCloseTo(c.kappa, 12);
      expect(cohenKappa(c.a, c.b, "linear")).toBeCloseTo(c.linear, 12);
      expect(cohenKappa(c.a, c.b, "quadratic")).toBeCloseTo(c.quadratic, 12);
    },
  );

  it("builds the confusion matrix as sklearn's confusion_matrix (rows human, columns LLM)", () => {
    const c = fixture.cases[1]!;
    const human = new Map([["q", new Map(c.a.map((v, i) => [`d${i}`, v]))]]);
    const llm = new Map([["q", new Map(c.b.map((v, i) => [`d${i}`, v]))]]);
    const report = agreementReport(human, llm);
    expect(report.labels).toEqual(c.labels);
    expect(report.confusion).toEqual(c.confusion);
    expect(report.pairs).toBe(c.a.length);
    expect(report.kappa).toBeCloseTo(c.kappa, 12);
  });

  it("only compares pairs judged by both sides", () => {
    const human = new Map([
      [
        "q1",
        new Map([
          ["a", 1],
          ["b", 0],
        ]),
      ],
    ]);
    const llm = new Map([
      [
        "q1",
        new Map([
          ["a", 1],
          ["c", 3],
        ]),
      ],
      ["q2", new Map([["a", 2]])],
    ]);
    expect(agreementReport(human, llm)).toMatchObject({ pairs: 1, accuracy: 1 });
  });
});
