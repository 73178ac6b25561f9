/**
 * trec_eval 10.0 parity, line by line: for every fixture configuration (runs with graded qrels, ties, negative
 * labels, missing queries; -q with -c, -l, -J, -M), Ferret's trec_eval-format output equals the output of the
 * real trec_eval 10.0 binary (scripts/make-trec-eval-fixtures.py builds it from source and records its stdout).
 * mrr_cut is checked against trec_eval's recip_rank of the ranking cut at k; judged and auc (which trec_eval
 * lacks) against the generator's independent Python and scipy.
 */
import { describe, expect, it } from "vitest";
import { formatTrecEval } from "../output/trec-format.js";
import {
  evaluateOptions,
  lineDiff,
  loadQrels,
  loadRun,
  loadRunColumns,
  manifest,
  readFixtureText,
  type OwnMeasuresFixture,
} from "./test-support/trec-eval-fixtures.js";
import { evaluate } from "./evaluate.js";

const { trecEval, configs } = manifest();

describe(`trec_eval parity (${trecEval.version}, tag ${trecEval.tag})`, () => {
  it("covers -q with -c, without it, -l (0, 2, 3, -1), -J and -M on every measure Ferret offers", () => {
    const options = configs.map((c) => c.options.join(" "));
    for (const flag of ["-c", "-l 0", "-l 2", "-l -1", "-J", "-M"])
      expect(
        options.some((o) => o.includes(flag)),
        flag,
      ).toBe(true);
    expect(options).toContain("");
    expect(configs.length).toBeGreaterThanOrEqual(20);
  });

  for (const c of configs) {
    describe(`${c.config} (trec_eval -q ${c.options.join(" ")})`, () => {
      const options = evaluateOptions(c.options);

      for (const [input, load] of [
        ["Map", loadRun],
        ["columns", loadRunColumns],
      ] as const) {
        it(`prints trec_eval's lines for its measures (per query, then all; run as ${input})`, () => {
          const ev = evaluate(load(c.run), loadQrels(c.qrels), c.measures, options);
          const reference = readFixtureText(c.expected);
          const ours = formatTrecEval(ev, { perQuery: true, numQ: true });
          const diff = lineDiff(ours, reference);
          expect(diff.first).toEqual([]);
          expect(diff.count).toBe(0);
          expect(reference.split("\n").length).toBeGreaterThan(500);
        });
      }

      it("prints mrr_cut as trec_eval's recip_rank cut at k", () => {
        const ev = evaluate(loadRun(c.run), loadQrels(c.qrels), c.mrrCut.measures, options);
        const diff = lineDiff(formatTrecEval(ev, { perQuery: true }), readFixtureText(c.mrrCut.expected));
        expect(diff.first).toEqual([]);
        expect(diff.count).toBe(0);
      });

      it("prints judged and auc as the independent reference does", () => {
        const own = JSON.parse(readFixtureText(c.own)) as OwnMeasuresFixture;
        const ev = evaluate(loadRunColumns(c.run), loadQrels(c.qrels), own.measures, options);
        const diff = lineDiff(formatTrecEval(ev, { perQuery: true }), own.lines);
        expect(diff.first).toEqual([]);
        for (const [m, v] of Object.entries(own.mean)) expect(ev.mean[m], m).toBeCloseTo(v, 12);
        for (const [m, v] of Object.entries(own.globalAuc)) {
          if (v === null) expect(ev.globalAuc[m], m).toBeUndefined();
          else expect(ev.globalAuc[m], m).toBeCloseTo(v, 12);
        }
      });
    });
  }
});
