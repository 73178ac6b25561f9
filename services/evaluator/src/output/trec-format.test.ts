import { describe, expect, it } from "vitest";
import { evaluate } from "../metrics/evaluate.js";
import { formatTrecEval, formatTrecValue } from "./trec-format.js";

describe("formatTrecValue (C printf %6.4f)", () => {
  it("rounds exact ties to even like glibc printf, unlike toFixed", () => {
    // Expected strings from Python's "%6.4f" % v (C printf semantics); toFixed gives 0.0313 for 0.03125.
    expect(formatTrecValue(0.03125)).toBe("0.0312");
    expect(formatTrecValue(0.09375)).toBe("0.0938");
    expect(formatTrecValue(-0.03125)).toBe("-0.0312");
    expect(formatTrecValue(1.03125)).toBe("1.0312");
    expect(formatTrecValue(0.96875)).toBe("0.9688");
  });

  it("rounds everything else to nearest and pads to width 6", () => {
    expect(formatTrecValue(0.123449)).toBe("0.1234");
    expect(formatTrecValue(2 / 3)).toBe("0.6667");
    expect(formatTrecValue(1)).toBe("1.0000");
    expect(formatTrecValue(0)).toBe("0.0000");
    expect(formatTrecValue(-0)).toBe("-0.0000");
    expect(formatTrecValue(12.5)).toBe("12.5000");
    expect(formatTrecValue(Number.NaN)).toBe("   nan");
    expect(formatTrecValue(Number.POSITIVE_INFINITY)).toBe("   inf");
  });
});

describe("formatTrecEval", () => {
  const qrels = new Map([
    ["q2", new Map([["a", 1]])],
    ["q10", new Map([["b", 1]])],
  ]);
  const run = new Map([
    [
      "q2",
      new Map([
        ["a", 1],
        ["c", 0.5],
      ]),
    ],
    [
      "q10",
      new Map([
        ["c", 1],
        ["b", 0.5],
      ]),
    ],
  ]);

  it("prints per-query lines in strcmp qid order and trec_eval's measure order, then the summary", () => {
    const ev = evaluate(run, qrels, ["P.1", "map"]);
    const pad = (s: string) => s.padEnd(22);
    expect(formatTrecEval(ev, { perQuery: true, numQ: true })).toBe(
      [
        `${pad("map")}\tq10\t0.5000`,
        `${pad("P_1")}\tq10\t0.0000`,
        `${pad("map")}\tq2\t1.0000`,
        `${pad("P_1")}\tq2\t1.0000`,
        `${pad("num_q")}\tall\t2`,
        `${pad("map")}\tall\t0.7500`,
        `${pad("P_1")}\tall\t0.5000`,
        "",
      ].join("\n"),
    );
    expect(formatTrecEval(ev)).toBe(`${pad("map")}\tall\t0.7500\n${pad("P_1")}\tall\t0.5000\n`);
  });
});
