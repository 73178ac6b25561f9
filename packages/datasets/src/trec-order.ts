/**
 * trec_eval's ranking order (form_res_rels.c, comp_sim_docno): score descending, ties broken by
 * `strcmp(docno2, docno1)`, i.e. document ids in DESCENDING byte order. trec_eval ignores the
 * rank column and re-sorts by this rule, so writing runs in this order makes rank = trec_eval's rank.
 * Every Ferret stage that ranks a run (fusion, dense search, the annotator, retrieval) uses this one rule.
 */

/** Compares two strings by Unicode code point, which equals strcmp's order on their UTF-8 bytes. */
export function compareCodePoints(a: string, b: string): number {
  // JS `<` compares UTF-16 code units; it differs from code point order only when a surrogate
  // (U+D800–U+DFFF) meets a BMP character at or above U+E000. Fall back to code points there.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      const cx = a.codePointAt(i) as number;
      const cy = b.codePointAt(i) as number;
      return cx < cy ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** trec_eval's order of two [docid, score] entries: negative when `a` ranks before `b`. */
export function compareTrecOrder(a: readonly [string, number], b: readonly [string, number]): number {
  return a[1] !== b[1] ? b[1] - a[1] : compareCodePoints(b[0], a[0]);
}

/** Sorts a query's documents the way trec_eval ranks them; optionally keeps only the first `depth`. */
export function rankByTrecOrder(docs: ReadonlyMap<string, number>, depth?: number): [string, number][] {
  const entries = [...docs.entries()];
  entries.sort(compareTrecOrder);
  if (depth !== undefined && entries.length > depth) entries.length = depth;
  return entries;
}
