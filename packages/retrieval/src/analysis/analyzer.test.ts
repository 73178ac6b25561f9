import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  SCIFACT_DIR,
  fixtureJson,
  fixtureLines,
  readJsonl,
  type SciFactDoc,
} from "../test-support/fixtures.js";
import { createAnalyzer } from "./analyzer.js";
import { porterStem } from "./porter-stem.js";

// Expected tokens come from Lucene 9.9.1 / Anserini 1.1.1 (fixtures/lucene-reference/generate.sh).

interface Case {
  input: string;
  english: string[];
  standard: string[];
}

const english = createAnalyzer("english");
const standard = createAnalyzer("standard");

function digest(tokens: string[]): string {
  return createHash("sha256").update(tokens.join(" "), "utf8").digest("hex").slice(0, 16);
}

describe("analyzers against Lucene", () => {
  it.each(fixtureJson<Case[]>("analyzer-cases.json").map((c) => [c.input.slice(0, 40), c] as const))(
    "tokenizes %j as Lucene does",
    (_label, c) => {
      expect(english.analyze(c.input)).toEqual(c.english);
      expect(standard.analyze(c.input)).toEqual(c.standard);
      // The index builder analyses token by token (tokenize, then term, memoised per token).
      for (const [analyzer, want] of [
        [english, c.english],
        [standard, c.standard],
      ] as const) {
        const terms = analyzer.tokenize(c.input).map((t) => analyzer.term(t));
        expect(terms.filter((t) => t !== undefined)).toEqual(want);
      }
    },
  );

  it("produces Lucene's exact token stream for every SciFact document and query", () => {
    const expected = new Map<string, string[]>();
    for (const line of fixtureLines("scifact-analysis.tsv.gz").slice(1)) {
      const [kind, id, ...rest] = line.split("\t");
      expected.set(`${kind}:${id}`, rest);
    }
    const texts: [string, string][] = [
      ...readJsonl<SciFactDoc>(join(SCIFACT_DIR, "corpus.jsonl")).map(
        (d) => [`doc:${d._id}`, `${d.title}\n${d.text}`] as [string, string],
      ),
      ...readJsonl<SciFactDoc>(join(SCIFACT_DIR, "queries.jsonl")).map(
        (q) => [`query:${q._id}`, q.text] as [string, string],
      ),
    ];
    expect(texts).toHaveLength(expected.size);
    const mismatches: string[] = [];
    for (const [key, text] of texts) {
      const en = english.analyze(text);
      const st = standard.analyze(text);
      const got = [String(en.length), digest(en), String(st.length), digest(st)];
      if (got.join("\t") !== expected.get(key)?.join("\t")) mismatches.push(key);
    }
    expect(mismatches).toEqual([]);
  });
});

describe("porterStem", () => {
  it("stems every distinct SciFact word as Lucene's PorterStemFilter", () => {
    const lines = fixtureLines("scifact-porter-stems.tsv.gz");
    expect(lines.length).toBeGreaterThan(30_000);
    const mismatches = lines
      .map((l) => l.split("\t") as [string, string])
      .filter(([word, stem]) => porterStem(word) !== stem);
    expect(mismatches).toEqual([]);
  });

  it("matches Lucene on Porter's sample words and bare suffixes, except the documented yy cases", () => {
    const mismatches = fixtureLines("porter-cases.tsv")
      .map((l) => l.split("\t") as [string, string])
      .filter(([word, stem]) => porterStem(word) !== stem)
      .map(([word]) => word);
    // The divergence porter-stem.ts documents: consonant + "yy" + -ed/-ing.
    expect(mismatches).toEqual(["cyying", "gyying", "syying", "rtyyed", "xjyyed", "yyyed"]);
  });
});
