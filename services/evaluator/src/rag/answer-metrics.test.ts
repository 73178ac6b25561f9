/**
 * Answer metrics against fixtures/rag/answer-metrics.json, computed by scripts/make-rag-fixtures.py with the
 * SQuAD v1.1 evaluate script's logic and instruct-qa's Recall / KPrecision / KPrecisionPlusPlus, plus a few
 * hand-computed cases.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exactMatch } from "./exact-match.js";
import { kPrecision, kPrecisionPlusPlus } from "./k-precision.js";
import { normalizeAnswer } from "./normalize.js";
import { tokenF1 } from "./token-f1.js";
import { tokenRecall } from "./token-recall.js";

interface Case {
  prediction: string;
  references: string[];
  passages: string[];
  history: string[];
  normalizedPrediction: string;
  exactMatch: number;
  tokenF1: number;
  tokenRecall: number;
  kPrecision: number;
  kPrecisionPlusPlus: number;
}

const cases = (
  JSON.parse(readFileSync(new URL("../../fixtures/rag/answer-metrics.json", import.meta.url), "utf8")) as {
    cases: Case[];
  }
).cases;

describe("answer metrics match the Python reference", () => {
  it("has the fixture cases", () => expect(cases.length).toBeGreaterThanOrEqual(10));
  for (const c of cases) {
    it(JSON.stringify(c.prediction), () => {
      expect(normalizeAnswer(c.prediction)).toBe(c.normalizedPrediction);
      expect(exactMatch(c.prediction, c.references)).toBe(c.exactMatch);
      expect(tokenF1(c.prediction, c.references)).toBe(c.tokenF1);
      expect(tokenRecall(c.prediction, c.references)).toBe(c.tokenRecall);
      expect(kPrecision(c.prediction, c.passages)).toBe(c.kPrecision);
      expect(kPrecisionPlusPlus(c.prediction, c.passages, c.history)).toBe(c.kPrecisionPlusPlus);
    });
  }
});

describe("answer metrics (hand-computed)", () => {
  it("F1 uses multiset overlap", () => {
    // pred [cat, cat, dog], gold [cat, dog, dog]: overlap cat + dog = 2; P = R = 2/3, F1 = 2/3.
    expect(tokenF1("cat cat dog", "cat dog dog")).toBe(2 / 3);
  });

  it("recall measures how much of the gold answer the response contains", () => {
    // gold [barack, obama] fully inside a verbose answer: 1, whatever the answer's length.
    expect(tokenRecall("It was Barack Obama, the 44th president.", "Barack Obama")).toBe(1);
    expect(tokenRecall("Obama", ["Barack Obama", "Obama"])).toBe(1);
    expect(tokenRecall("Obama", "Barack Obama")).toBe(0.5);
  });

  it("K-Precision measures how much of the response the passages support; ++ ignores restated question words", () => {
    // response [sky, is, blue, today]; knowledge has sky, is, blue: 3/4.
    expect(kPrecision("The sky is blue today.", ["The sky is blue."])).toBe(0.75);
    // Question words [why, is, sky, blue] removed: [today] is not in the passage: 0.
    expect(kPrecisionPlusPlus("The sky is blue today.", ["The sky is blue."], "Why is the sky blue?")).toBe(
      0,
    );
    expect(kPrecisionPlusPlus("The sky is blue.", ["nothing"], ["Why is the sky blue?"])).toBe(1);
    expect(kPrecision("", ["anything"])).toBe(0);
  });
});
