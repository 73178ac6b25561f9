/**
 * Lucene's LowerCaseFilter: Character.toLowerCase on each code point (Unicode simple case mapping).
 * String.prototype.toLowerCase applies the full mapping instead, which differs in exactly two
 * places: U+0130 (İ) becomes "i̇" (two code points) rather than "i", and a word-final Σ becomes ς
 * rather than σ. Those two are mapped per code point; everything else goes through toLowerCase.
 */

const FULL_MAPPING_DIFFERS = /[\u0130\u03a3]/;

export function lowerCaseLikeLucene(token: string): string {
  if (!FULL_MAPPING_DIFFERS.test(token)) return token.toLowerCase();
  let out = "";
  for (const ch of token) {
    out += ch === "\u0130" ? "i" : ch === "\u03a3" ? "\u03c3" : ch.toLowerCase();
  }
  return out;
}
