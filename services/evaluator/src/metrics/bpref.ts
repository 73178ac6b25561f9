/**
 * bpref as trec_eval computes it (m_bpref.c; Buckley & Voorhees, "Retrieval Evaluation with Incomplete
 * Information", SIGIR 2004). Only judged documents count: for each relevant retrieved document add
 * 1 - min(n, R) / min(N, R), where n is the number of judged non-relevant documents ranked above it,
 * R the relevant and N the judged non-relevant documents of the query; divide the sum by R. Unjudged and
 * negative-label documents are skipped.
 */
import type { PreparedQuery } from "./ranking.js";

export function bpref(q: PreparedQuery): number {
  const rels = q.rels;
  const threshold = q.threshold;
  const numRel = q.numRel;
  const denom = Math.min(q.numNonrelJudged, numRel);
  let nonrelSoFar = 0;
  let sum = 0;
  for (let i = 0; i < q.numRet; i++) {
    const rel = rels[i] as number;
    if (rel < 0) continue;
    if (rel < threshold) nonrelSoFar++;
    else if (nonrelSoFar > 0) sum += 1 - Math.min(nonrelSoFar, numRel) / denom;
    else sum += 1;
  }
  return numRel > 0 ? sum / numRel : sum;
}
