import { InvalidArgumentError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { RankingPreparer, RELVALUE_NONPOOL, RELVALUE_UNJUDGED } from "./ranking.js";

const docs = (entries: [string, number][]) => new Map(entries);

describe("RankingPreparer", () => {
  it("ranks by score descending and breaks ties by docid in descending strcmp order", () => {
    // trec_eval's comp_sim_docno returns strcmp(docno2, docno1): "9" > "10" > "1" byte-wise.
    const q = new RankingPreparer().prepare(
      "q",
      docs([
        ["1", 0.5],
        ["10", 0.5],
        ["9", 0.5],
        ["top", 2],
        ["low", -1],
      ]),
      new Map([
        ["10", 1],
        ["low", 0],
      ]),
    );
    expect([...q.scores.subarray(0, q.numRet)]).toEqual([2, 0.5, 0.5, 0.5, -1]);
    expect([...q.rels.subarray(0, q.numRet)]).toEqual([
      RELVALUE_NONPOOL,
      RELVALUE_NONPOOL,
      1,
      RELVALUE_NONPOOL,
      0,
    ]);
  });

  it("compares scores as doubles, as trec_eval 10.0 stores them: float32-equal scores do not tie", () => {
    // 30.453164 and 30.453163 round to the same float32; trec_eval up to 9.0.7 (floats) tied them and put docid
    // "b" first, 10.0 (doubles) ranks the relevant "a" first (fixture edge-ties, query f32).
    expect(Math.fround(30.453164)).toBe(Math.fround(30.453163));
    const q = new RankingPreparer().prepare(
      "q",
      docs([
        ["b", 30.453163],
        ["a", 30.453164],
      ]),
      new Map([["a", 1]]),
    );
    expect([...q.rels.subarray(0, q.numRet)]).toEqual([1, RELVALUE_NONPOOL]);
  });

  it("orders by code point (UTF-8 bytes), not UTF-16 units, on ties", () => {
    // U+1F600 (surrogate pair D83D DE00) sorts after U+FF21 in UTF-8/strcmp, before it in UTF-16.
    const q = new RankingPreparer().prepare(
      "q",
      docs([
        ["\uFF21", 1],
        ["\u{1F600}", 1],
      ]),
      new Map([["\u{1F600}", 3]]),
    );
    expect(q.rels[0]).toBe(3);
  });

  it("truncates labels like atol and marks negative labels as unjudged", () => {
    const q = new RankingPreparer({ relevanceThreshold: 2 }).prepare(
      "q",
      docs([
        ["a", 3],
        ["b", 2],
        ["c", 1],
      ]),
      new Map([
        ["a", 2.9],
        ["b", -1],
        ["c", 1],
        ["d", 4],
        ["e", 0],
      ]),
    );
    expect([...q.rels.subarray(0, 3)]).toEqual([2, RELVALUE_UNJUDGED, 1]);
    expect(q.numRel).toBe(2); // a (2) and d (4)
    expect(q.numNonrelJudged).toBe(2); // c (1) and e (0); b's -1 is neither
    expect([...q.idealGains]).toEqual([4, 2, 1]);
  });

  it("applies -M before -J, as trec_eval does", () => {
    const run = docs([
      ["a", 5],
      ["b", 4],
      ["c", 3],
      ["d", 2],
    ]);
    const judgments = new Map([
      ["b", 1],
      ["d", 1],
    ]);
    const q = new RankingPreparer({ maxDocsPerQuery: 3, judgedOnly: true }).prepare("q", run, judgments);
    expect(q.numRet).toBe(1);
    expect(q.scores[0]).toBe(4);
  });

  it("rejects NaN scores and bad options with InvalidArgumentError", () => {
    expect(() => new RankingPreparer().prepare("q1", docs([["a", Number.NaN]]), new Map())).toThrow(
      /query "q1", document "a"/,
    );
    expect(() => new RankingPreparer({ relevanceThreshold: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => new RankingPreparer({ maxDocsPerQuery: 0 })).toThrow(InvalidArgumentError);
  });
});
