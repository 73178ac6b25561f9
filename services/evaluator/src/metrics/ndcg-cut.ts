/**
 * nDCG@k exactly as trec_eval's ndcg_cut (m_ndcg_cut.c; Järvelin & Kekäläinen, ACM TOIS 20(4), 2002):
 * DCG@k = Σ_{i<k} label_i / log2(i + 2) over ranked documents with label > 0 (the gain is the qrels label,
 * whatever the relevance threshold), divided by the DCG@k of the ideal ranking of all judged labels. When
 * fewer than k documents are retrieved the missing ranks add nothing; a query without positive labels
 * scores 0. Sums run in rank order, as trec_eval's do, so the doubles match bit for bit.
 */
import { discounts } from "./discount.js";
import type { PreparedQuery } from "./ranking.js";

export function dcgAt(q: PreparedQuery, k: number): number {
  const n = Math.min(k, q.numRet);
  const rels = q.rels;
  const disc = discounts(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const gain = rels[i] as number;
    if (gain > 0) sum += gain / (disc[i] as number);
  }
  return sum;
}

export function idealDcgAt(q: PreparedQuery, k: number): number {
  const gains = q.idealGains;
  const n = Math.min(k, gains.length);
  const disc = discounts(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (gains[i] as number) / (disc[i] as number);
  return sum;
}

export function ndcgCut(q: PreparedQuery, k: number): number {
  const ideal = idealDcgAt(q, k);
  return ideal > 0 ? dcgAt(q, k) / ideal : 0;
}
