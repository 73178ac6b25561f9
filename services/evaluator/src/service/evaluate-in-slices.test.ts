import { parseTrecQrels, parseTrecRun } from "@ferret/datasets";
import { CancelledError, TimeoutError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { evaluate } from "../metrics/evaluate.js";
import { parseMeasures } from "../metrics/registry.js";
import { evaluateInSlices } from "./evaluate-in-slices.js";
import { trecEvalExpected, trecEvalFixtureText } from "./test-support/fixtures.js";

const expected = trecEvalExpected("scifact-missing.l1");
const run = parseTrecRun(trecEvalFixtureText(expected.run), { file: expected.run }).run;
const qrels = parseTrecQrels(trecEvalFixtureText(expected.qrels), { file: expected.qrels }).qrels;
const measures = parseMeasures([
  "ndcg_cut.10",
  "map",
  "recip_rank",
  "P.5,10",
  "recall.100",
  "Rprec",
  "bpref",
]);

describe("evaluateInSlices", () => {
  // The contract is "same result as evaluate() in one piece", so evaluate() is the reference here.
  it.each([false, true])(
    "gives exactly evaluate()'s per-query values and means (completeQueries=%s)",
    async (complete) => {
      const whole = evaluate(run, qrels, measures, { completeQueries: complete });
      const progress: number[] = [];
      const sliced = await evaluateInSlices(
        run,
        qrels,
        measures,
        { completeQueries: complete },
        {
          sliceQueries: 7,
          onProgress: (done) => progress.push(done),
        },
      );
      expect(sliced.numQueries).toBe(whole.numQueries);
      expect([...sliced.perQuery]).toEqual([...whole.perQuery]);
      expect(sliced.mean).toEqual(whole.mean);
      expect(sliced.meanCount).toEqual(whole.meanCount);
      expect(progress.length).toBe(Math.ceil(whole.numQueries / 7));
      expect(progress.at(-1)).toBe(whole.numQueries);
      // And the reference agrees: the means are trec_eval's.
      const reference = complete ? expected.meanComplete : expected.mean;
      expect(sliced.mean["map"]).toBeCloseTo(reference["map"] as number, 12);
    },
  );

  it("stops between slices once the signal fires, with the signal's reason", async () => {
    const controller = new AbortController();
    let slices = 0;
    const outcome = evaluateInSlices(
      run,
      qrels,
      measures,
      {},
      {
        sliceQueries: 10,
        signal: controller.signal,
        onProgress: () => {
          slices++;
          if (slices === 2) controller.abort(new TimeoutError("deadline exceeded"));
        },
      },
    );
    await expect(outcome).rejects.toBeInstanceOf(TimeoutError);
    expect(slices).toBe(2);
  });

  it("turns a reason that is not a FerretError into CancelledError", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      evaluateInSlices(run, qrels, measures, {}, { signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
  });

  it("evaluates auc measures in one piece (the pooled AUC needs every query)", async () => {
    // Cranfield has judged non-relevant documents, so AUC is defined there (SciFact's qrels have none).
    const graded = trecEvalExpected("cranfield-tfidf.l1");
    const cranRun = parseTrecRun(trecEvalFixtureText(graded.run), { file: graded.run }).run;
    const cranQrels = parseTrecQrels(trecEvalFixtureText(graded.qrels), { file: graded.qrels }).qrels;
    const specs = parseMeasures(["auc", "map"]);
    const sliced = await evaluateInSlices(cranRun, cranQrels, specs, {}, { sliceQueries: 5 });
    expect(sliced.globalAuc).toEqual(evaluate(cranRun, cranQrels, specs).globalAuc);
    expect(Object.keys(sliced.globalAuc)).toEqual(["auc"]);
  });
});
