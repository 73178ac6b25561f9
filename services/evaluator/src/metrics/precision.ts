/**
 * P@k as trec_eval's P (m_P.c): relevant documents among the first k ranks divided by k, also when fewer than
 * k documents were retrieved (the missing ranks count as non-relevant).
 */
import type { PreparedQuery } from "./ranking.js";

export function relevantInTop(q: PreparedQuery, k: number): number {
  const n = Math.min(k, q.numRet);
  const rels = q.rels;
  const threshold = q.threshold;
  let count = 0;
  for (let i = 0; i < n; i++) if ((rels[i] as number) >= threshold) count++;
  return count;
}

export function precisionAt(q: PreparedQuery, k: number): number {
  return relevantInTop(q, k) / k;
}
