/**
 * Lucene's EnglishPossessiveFilter: drops a trailing 's or 'S, where the apostrophe is U+0027,
 * U+2019 (right single quotation mark) or U+FF07 (fullwidth apostrophe). Runs before lower-casing.
 */
export function removeEnglishPossessive(token: string): string {
  const n = token.length;
  if (n < 2) return token;
  const s = token.charCodeAt(n - 1);
  if (s !== 0x73 && s !== 0x53) return token;
  const q = token.charCodeAt(n - 2);
  return q === 0x27 || q === 0x2019 || q === 0xff07 ? token.slice(0, n - 2) : token;
}
