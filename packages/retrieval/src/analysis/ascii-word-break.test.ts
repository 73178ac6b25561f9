import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCIFACT_DIR, readJsonl, type SciFactDoc } from "../test-support/fixtures.js";
import { asciiWordBreak } from "./ascii-word-break.js";

// Reference: ICU's UAX#29 word breaker (Intl.Segmenter), keeping the segments that hold a letter or
// a digit, which is what Lucene's StandardTokenizer emits for ASCII text.
const icu = new Intl.Segmenter("en", { granularity: "word" });
function icuWords(chunk: string): string[] {
  return [...icu.segment(chunk)]
    .filter((s) => s.isWordLike && /[A-Za-z0-9]/.test(s.segment))
    .map((s) => s.segment);
}

function scan(chunk: string): string[] {
  const out: string[] = [];
  asciiWordBreak(chunk, 0, chunk.length, out);
  return out;
}

describe("asciiWordBreak", () => {
  it("applies the mid-letter and mid-number rules", () => {
    expect(scan("U.S.A. 3.5. a:b 1:2 1,000;5 a,b don't 1'2 _x_ ___ a_1.2")).toEqual([
      "U.S.A",
      "3.5",
      "a:b",
      "1",
      "2",
      "1,000;5",
      "a",
      "b",
      "don't",
      "1'2",
      "_x_",
      "a_1.2",
    ]);
  });

  it("agrees with ICU on every ASCII chunk of SciFact", () => {
    const chunks = new Set<string>();
    for (const d of readJsonl<SciFactDoc>(join(SCIFACT_DIR, "corpus.jsonl"))) {
      for (const chunk of `${d.title} ${d.text}`.split(/\s+/)) {
        if (chunk && !/[\u0080-\uffff]/.test(chunk)) chunks.add(chunk);
      }
    }
    expect(chunks.size).toBeGreaterThan(50_000);
    const disagreements = [...chunks].filter((c) => scan(c).join(" ") !== icuWords(c).join(" "));
    expect(disagreements).toEqual([]);
  });
});
