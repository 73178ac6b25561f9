/**
 * AP@k as trec_eval's map_cut (m_map_cut.c): average precision over the first k ranks, still divided by
 * every relevant document of the query (not by min(k, R)); 0 for a query without relevant documents.
 */
import { apAt } from "./map.js";
import type { PreparedQuery } from "./ranking.js";

export function mapCut(q: PreparedQuery, k: number): number {
  return q.numRel === 0 ? 0 : apAt(q, k);
}
