import { InvalidArgumentError } from "@ferret/errors";
import { removeEnglishPossessive } from "./english-possessive.js";
import { ENGLISH_STOP_WORDS } from "./english-stop-words.js";
import { lowerCaseLikeLucene } from "./lower-case.js";
import { porterStem } from "./porter-stem.js";
import { standardTokenSpans, standardTokenize } from "./standard-tokenizer.js";
import type { TokenSpans } from "./token-spans.js";

/**
 * Analyzers: text to the terms that are indexed and searched.
 *
 * - "english": Anserini's DefaultEnglishAnalyzer, the analyzer of its BEIR regressions (and, apart
 *   from the keyword-marker hook, Lucene's EnglishAnalyzer): StandardTokenizer, EnglishPossessiveFilter,
 *   LowerCaseFilter, StopFilter(ENGLISH_STOP_WORDS_SET), PorterStemFilter.
 * - "standard": Lucene's StandardAnalyzer: StandardTokenizer, LowerCaseFilter (no stop words, the
 *   Lucene 9 default).
 */

export const ANALYZER_NAMES = ["english", "standard"] as const;
export type AnalyzerName = (typeof ANALYZER_NAMES)[number];

export interface Analyzer {
  readonly name: AnalyzerName;
  /** The terms of `text`, in order, repeats kept: tokenize, then each token through `term`. */
  analyze(text: string): string[];
  /** The tokenizer's tokens of `text`, in order. */
  tokenize(text: string): string[];
  /** The same tokens as spans (no string per token where the text allows). */
  tokenSpans(text: string, spans: TokenSpans): void;
  /**
   * The term one token becomes, or undefined if it is filtered out (a stop word). Each token is
   * analysed on its own (no filter here looks at its neighbours), so callers may memoise this.
   */
  term(token: string): string | undefined;
}

/** Stems are memoised: word frequencies are Zipfian, so a bounded cache catches nearly all calls. */
const STEM_CACHE_LIMIT = 500_000;

class EnglishAnalyzer implements Analyzer {
  readonly name = "english" as const;
  private readonly stems = new Map<string, string>();

  analyze(text: string): string[] {
    const out: string[] = [];
    for (const token of standardTokenize(text)) {
      const term = this.term(token);
      if (term !== undefined) out.push(term);
    }
    return out;
  }

  tokenize(text: string): string[] {
    return standardTokenize(text);
  }

  tokenSpans(text: string, spans: TokenSpans): void {
    standardTokenSpans(text, spans);
  }

  term(token: string): string | undefined {
    const term = lowerCaseLikeLucene(removeEnglishPossessive(token));
    return ENGLISH_STOP_WORDS.has(term) ? undefined : this.stem(term);
  }

  private stem(term: string): string {
    let stem = this.stems.get(term);
    if (stem === undefined) {
      stem = porterStem(term);
      if (this.stems.size >= STEM_CACHE_LIMIT) this.stems.clear();
      this.stems.set(term, stem);
    }
    return stem;
  }
}

class StandardAnalyzer implements Analyzer {
  readonly name = "standard" as const;

  analyze(text: string): string[] {
    return standardTokenize(text).map(lowerCaseLikeLucene);
  }

  tokenize(text: string): string[] {
    return standardTokenize(text);
  }

  tokenSpans(text: string, spans: TokenSpans): void {
    standardTokenSpans(text, spans);
  }

  term(token: string): string {
    return lowerCaseLikeLucene(token);
  }
}

export function createAnalyzer(name: AnalyzerName): Analyzer {
  switch (name) {
    case "english":
      return new EnglishAnalyzer();
    case "standard":
      return new StandardAnalyzer();
    default:
      throw new InvalidArgumentError(
        `unknown analyzer "${String(name)}": expected one of ${ANALYZER_NAMES.join(", ")}`,
      );
  }
}

export function isAnalyzerName(name: string): name is AnalyzerName {
  return (ANALYZER_NAMES as readonly string[]).includes(name);
}
