/**
 * trec_eval parity: every measure for every query of every fixture configuration equals the reference
 * (pytrec_eval-terrier = trec_eval 9.0.8 for trec_eval's measures; see scripts/make-trec-eval-fixtures.py
 * for mrr_cut, judged and auc) to within 1e-9 and prints the same "%6.4f" string; and our trec_eval-format
 * output repeats the real C binary's lines.
 */
import { describe, expect, it } from "vitest";
import { formatTrecEval, formatTrecValue } from "../output/trec-format.js";
import {
  fixtureConfigs,
  loadExpected,
  loadQrels,
  loadRun,
  readFixtureText,
} from "./test-support/trec-eval-fixtures.js";
import { evaluate } from "./evaluate.js";

const TOLERANCE = 1e-9;

function compare(
  where: string,
  ours: number | undefined,
  ref: number | null | undefined,
  refText: string | null | undefined,
  bad: string[],
): void {
  if (ref === undefined || ref === null) {
    if (ours !== undefined) bad.push(`${where}: reference undefined, ours ${ours}`);
    return;
  }
  if (ours === undefined) {
    bad.push(`${where}: missing, reference ${ref}`);
    return;
  }
  if (!(Math.abs(ours - ref) < TOLERANCE)) bad.push(`${where}: ${ours} vs reference ${ref}`);
  if (refText !== undefined && refText !== null && formatTrecValue(ours) !== refText) {
    bad.push(`${where}: printed "${formatTrecValue(ours)}" vs "${refText}"`);
  }
}

describe("trec_eval parity on the committed fixtures", () => {
  for (const config of fixtureConfigs()) {
    it(config, () => {
      const exp = loadExpected(config);
      const run = loadRun(exp.run);
      const qrels = loadQrels(exp.qrels);
      const options = { relevanceThreshold: exp.relevanceLevel, judgedOnly: exp.judgedOnly };
      const bad: string[] = [];
      let compared = 0;

      const ev = evaluate(run, qrels, exp.measures, options);
      // (JSON objects list integer-like keys numerically, so compare as sorted sets.)
      expect([...ev.perQuery.keys()].sort()).toEqual(Object.keys(exp.perQuery).sort());
      for (const [qid, refValues] of Object.entries(exp.perQuery)) {
        const ours = ev.perQuery.get(qid) ?? {};
        for (const m of exp.measures) {
          compare(`${m} ${qid}`, ours[m], refValues[m], exp.perQueryFormatted[qid]?.[m], bad);
          compared++;
        }
      }
      for (const m of exp.measures) {
        compare(`${m} all`, ev.mean[m], exp.mean[m], exp.meanFormatted[m], bad);
        expect(ev.meanCount[m], m).toBe(exp.meanCount[m]);
      }
      compare("global auc", ev.globalAuc["auc"], exp.globalAuc["judged"], undefined, bad);
      compare("global auc_500", ev.globalAuc["auc_500"], exp.globalAuc["top500"], undefined, bad);

      const complete = evaluate(run, qrels, exp.measures, { ...options, completeQueries: true });
      expect(complete.numQueries).toBe(exp.qrelsQueries.length);
      for (const m of exp.measures)
        compare(`${m} all -c`, complete.mean[m], exp.meanComplete[m], exp.meanCompleteFormatted[m], bad);
      for (const qid of exp.qrelsQueries) {
        if (qid in exp.perQuery) continue;
        const values = complete.perQuery.get(qid) ?? {};
        for (const m of exp.measures)
          if (values[m] !== undefined && values[m] !== 0)
            bad.push(`${m} ${qid} -c: ${values[m]} for a missing query`);
      }

      expect(bad.slice(0, 20)).toEqual([]);
      expect(compared).toBe(Object.keys(exp.perQuery).length * exp.measures.length);
    });
  }
});

describe("trec_eval-format output against the C binary", () => {
  for (const config of fixtureConfigs()) {
    const exp = loadExpected(config);
    if (exp.binary === undefined) continue;
    const binary = exp.binary;
    it(`${config} (${binary.version} ${binary.args})`, () => {
      const binaryLines = readFixtureText(binary.file)
        .split("\n")
        .filter((l) => l.length > 0);
      const names = [
        ...new Set(binaryLines.map((l) => (l.split("\t")[0] as string).trim()).filter((n) => n !== "num_q")),
      ];
      const ev = evaluate(loadRun(exp.run), loadQrels(exp.qrels), names, {
        relevanceThreshold: exp.relevanceLevel,
        judgedOnly: exp.judgedOnly,
        completeQueries: true,
      });
      // trec_eval before 10.0 prints no per-query lines for queries the run lacks; 10.0 prints zeros, as we do.
      const printedQids = new Set(binaryLines.map((l) => l.split("\t")[1]));
      const ours = formatTrecEval(ev, { perQuery: true, numQ: true })
        .split("\n")
        .filter((l) => l.length > 0 && printedQids.has(l.split("\t")[1]));
      expect(binaryLines.length).toBeGreaterThan(1000);
      expect(ours).toEqual(binaryLines);
    });
  }
});
