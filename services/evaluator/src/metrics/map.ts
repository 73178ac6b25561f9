/**
 * Average precision as trec_eval's map (m_map.c; Buckley & Voorhees, "Retrieval System Evaluation", 2005):
 * Σ over relevant retrieved documents of (relevant so far / rank), divided by all relevant documents of the
 * query (numRel, retrieved or not); 0 when nothing relevant is retrieved.
 */
import type { PreparedQuery } from "./ranking.js";

export function averagePrecision(q: PreparedQuery): number {
  return apAt(q, q.numRet);
}

/** AP over the first k ranks, normalised by numRel (shared with map_cut). */
export function apAt(q: PreparedQuery, k: number): number {
  const n = Math.min(k, q.numRet);
  const rels = q.rels;
  const threshold = q.threshold;
  let relSoFar = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if ((rels[i] as number) >= threshold) {
      relSoFar++;
      sum += relSoFar / (i + 1);
    }
  }
  return relSoFar > 0 ? sum / q.numRel : 0;
}
