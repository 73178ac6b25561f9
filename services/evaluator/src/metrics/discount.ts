/**
 * nDCG's position discount as trec_eval computes it (m_ndcg.c, m_ndcg_cut.c): the document at 0-based rank i
 * contributes gain / log2(i + 2). Cached so every query divides by the very same doubles.
 */
let table = new Float64Array(0);

/** log2(i + 2) for i in [0, n). */
export function discounts(n: number): Float64Array {
  if (table.length < n) {
    let size = Math.max(1024, table.length);
    while (size < n) size *= 2;
    const next = new Float64Array(size);
    for (let i = 0; i < size; i++) next[i] = Math.log2(i + 2);
    table = next;
  }
  return table;
}
