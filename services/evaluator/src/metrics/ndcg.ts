/**
 * nDCG over the whole ranking as trec_eval's ndcg (m_ndcg.c, default gains: gain = qrels label, label 0 and
 * unjudged documents gain 0; Järvelin & Kekäläinen, ACM TOIS 20(4), 2002). The ideal ranking holds every
 * judged document with a positive label, retrieved or not, so nDCG = nDCG@∞. trec_eval's custom gain
 * parameters (ndcg.1=3.5,...) are not supported.
 */
import { dcgAt, idealDcgAt } from "./ndcg-cut.js";
import type { PreparedQuery } from "./ranking.js";

export function ndcg(q: PreparedQuery): number {
  const ideal = idealDcgAt(q, q.idealGains.length);
  return ideal > 0 ? dcgAt(q, q.numRet) / ideal : 0;
}
