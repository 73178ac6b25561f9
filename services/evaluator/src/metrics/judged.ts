/**
 * Judged@k as ir_measures defines it (after OpenNIR): the fraction of the first min(k, n) ranked documents
 * that appear in the query's qrels with any label, n being the number retrieved; 0 when nothing is retrieved.
 * trec_eval has no such measure (10.0's `unj` counts unjudged documents over k, treating missing ranks as
 * judged). Unlike ir_measures, which breaks score ties by ascending docid, the ranking here is trec_eval's,
 * so judged@k agrees with every other measure on which documents are in the top k.
 */
import { RELVALUE_NONPOOL, type PreparedQuery } from "./ranking.js";

export function judgedAt(q: PreparedQuery, k: number): number {
  const n = Math.min(k, q.numRet);
  if (n === 0) return 0;
  const rels = q.rels;
  let judged = 0;
  for (let i = 0; i < n; i++) if (rels[i] !== RELVALUE_NONPOOL) judged++;
  return judged / n;
}
