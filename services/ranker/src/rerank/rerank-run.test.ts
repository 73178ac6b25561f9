/**
 * rerankRun's candidate selection and output shape, on the tiny cross-encoder. Expected values by hand:
 * the top `depth` follows trec_eval's order (score descending, ties by document id descending), and the
 * reranked order follows PyTorch's logits for the same pairs (fixtures/reference.json).
 */
import type { Run } from "@ferret/datasets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReference, TINY_CE } from "../test-support/fixtures.js";
import { recordTexts } from "./beir-texts.js";
import { CrossEncoderScorer } from "./pair-scorer.js";
import { rerankCandidates, rerankRun } from "./rerank-run.js";

const pairs = readReference()
  .pairs.filter((p) => p.queryId === "2")
  .slice(0, 4);
const [a, b, c, d] = pairs.map((p) => p.docId) as [string, string, string, string];
// d's score ties with c's at the depth-3 boundary: the larger document id wins the tie (trec_eval order)
const run: Run = new Map([
  [
    "2",
    new Map([
      [a, 9],
      [b, 7],
      [c, 5],
      [d, 5],
    ]),
  ],
]);
const texts = recordTexts(
  pairs.map((p) => ({ id: p.docId, title: "", text: p.passage })),
  [{ id: "2", text: pairs[0]!.query }],
  "<test>",
);
let scorer: CrossEncoderScorer;
beforeAll(async () => {
  scorer = await CrossEncoderScorer.load(TINY_CE, { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await scorer?.close();
});

describe("rerankRun", () => {
  it("takes the top depth in trec_eval order and re-orders it by the cross-encoder", async () => {
    const tieWinner = c > d ? c : d;
    expect(rerankCandidates(run, 3).get("2")).toEqual([a, b, tieWinner]);
    const progress: number[] = [];
    const { run: out, pairsScored } = await rerankRun(run, texts, scorer, {
      depth: 3,
      onProgress: (done) => progress.push(done),
    });
    expect(pairsScored).toBe(3);
    expect(progress).toEqual([3]);
    const logit = new Map(pairs.map((p) => [p.docId, p.logit]));
    const expected = [a, b, tieWinner].sort((x, y) => logit.get(y)! - logit.get(x)!);
    expect([...out.get("2")!.keys()]).toEqual(expected);
  });

  it("keeps the tail below the reranked documents when asked", async () => {
    const { run: out } = await rerankRun(run, texts, scorer, { depth: 2, keepTail: true });
    const docs = [...out.get("2")!];
    expect(docs).toHaveLength(4);
    const tail = [c, d].sort().reverse(); // first-stage order of the tied tail: doc id descending
    expect(docs.slice(2).map(([id]) => id)).toEqual(tail);
    expect(Math.min(docs[0]![1], docs[1]![1])).toBeGreaterThan(docs[2]![1]);
    expect(docs[2]![1]).toBeGreaterThan(docs[3]![1]);
  });

  it("names a query without text and rejects a depth below 1", async () => {
    const orphan: Run = new Map([["no-such-query", new Map([[a, 1]])]]);
    await expect(rerankRun(orphan, texts, scorer)).rejects.toThrow(
      '<test> (field "queries"): no text for query "no-such-query" of the run',
    );
    await expect(rerankRun(run, texts, scorer, { depth: 0 })).rejects.toThrow("must be a positive integer");
  });
});
