/**
 * SQuAD-style answer normalisation (Rajpurkar et al., SQuAD v1.1 evaluate script; reused by instruct-qa,
 * Adlakha et al., TACL 2024, research-methods §11): lowercase, delete ASCII punctuation, replace the
 * articles a|an|the (whole words) by a space, split on whitespace.
 * Python's semantics are kept where JavaScript's differ: a word character for the article boundary is any
 * Unicode letter or number or "_" (Python's Unicode \b, JavaScript's \b is ASCII-only), and whitespace is
 * what Python's str.split() splits on.
 */
const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
// Python str.isspace(): \t\n\v\f\r, \x1c-\x1f, space, \x85, \xa0, \u1680, \u2000-\u200a, \u2028, \u2029,
// \u202f, \u205f, \u3000.
const WHITESPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function normalizeAnswer(text: string): string {
  return answerTokens(text).join(" ");
}

/** The normalised tokens of a text; [] for an empty text. */
export function answerTokens(text: string): string[] {
  if (text.length === 0) return [];
  let out = "";
  for (const ch of text.toLowerCase()) if (!PUNCTUATION.has(ch)) out += ch;
  return splitPythonWhitespace(out.replace(ARTICLES, " "));
}

function splitPythonWhitespace(text: string): string[] {
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    if (WHITESPACE.has(text.charCodeAt(i))) {
      if (start >= 0) tokens.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) tokens.push(text.slice(start));
  return tokens;
}

/** Size of the multiset intersection of two token lists (Python's Counter(a) & Counter(b)). */
export function overlapCount(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const t of b) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of a) {
    const c = counts.get(t);
    if (c !== undefined && c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  return common;
}

/** max over references; a prediction scored against no reference gets 0. */
export function maxOver(references: readonly string[], score: (reference: string) => number): number {
  let best = 0;
  for (const r of references) best = Math.max(best, score(r));
  return best;
}
