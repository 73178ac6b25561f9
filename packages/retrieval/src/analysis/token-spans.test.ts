import fc from "fast-check";
import { fuzzParameters } from "@ferret/errors/testing";
import { describe, expect, it } from "vitest";
import { standardTokenSpans, standardTokenize } from "./standard-tokenizer.js";
import { TokenSpans } from "./token-spans.js";

function spanTokens(spans: TokenSpans): string[] {
  return Array.from({ length: spans.count }, (_, i) => spans.source.slice(spans.starts[i], spans.ends[i]));
}

/** Text of words, joiners and separators, now and then non-ASCII or a run longer than 255. */
const text = fc
  .array(
    fc.oneof(
      fc.constantFrom("word", "Don't", "3.14", "a_b", "x:y", "1,000", " ", "\n", ".", "'", "_", "-"),
      fc.constantFrom("café", "日本語", "ไทย", "👍", "İΣ"),
      fc.integer({ min: 250, max: 600 }).map((n) => "z".repeat(n)),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(""));

describe("standardTokenSpans", () => {
  it("gives standardTokenize's tokens, reusing one buffer", () => {
    const spans = new TokenSpans();
    fc.assert(
      fc.property(text, fc.constantFrom(0, 7, 255), (t, maxTokenLength) => {
        standardTokenSpans(t, spans, { maxTokenLength });
        expect(spanTokens(spans)).toEqual(standardTokenize(t, { maxTokenLength }));
      }),
      fuzzParameters(300),
    );
  });

  it("points into the text itself when it is all ASCII", () => {
    const spans = new TokenSpans();
    const t = "BM25's k1, 0.9; b: 0.4";
    standardTokenSpans(t, spans);
    expect(spans.source).toBe(t);
    expect(spanTokens(spans)).toEqual(["BM25", "s", "k1", "0.9", "b", "0.4"]);
  });
});
