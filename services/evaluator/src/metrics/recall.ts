/**
 * Recall@k as trec_eval's recall (m_recall.c): relevant documents among the first k ranks divided by all
 * relevant documents of the query; 0 for a query without relevant documents.
 */
import { relevantInTop } from "./precision.js";
import type { PreparedQuery } from "./ranking.js";

export function recallAt(q: PreparedQuery, k: number): number {
  return q.numRel === 0 ? 0 : relevantInTop(q, k) / q.numRel;
}
