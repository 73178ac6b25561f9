/**
 * R-precision as trec_eval's Rprec (m_Rprec.c): relevant documents among the first R ranks divided by R, the
 * number of relevant documents; when fewer than R documents are retrieved only those are counted (still over
 * R). 0 when R = 0 or nothing is retrieved.
 */
import { relevantInTop } from "./precision.js";
import type { PreparedQuery } from "./ranking.js";

export function rPrecision(q: PreparedQuery): number {
  if (q.numRel === 0 || q.numRet === 0) return 0;
  return relevantInTop(q, q.numRel) / q.numRel;
}
