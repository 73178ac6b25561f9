/**
 * ROC AUC of a run's scores (research-methods §2, MW loss; Sheikholeslami et al., 2025):
 * AUC = U / (n+ n−) = Pr(s+ > s−), where U counts positive/negative score pairs with the positive scored
 * higher and ties count one half (the Mann–Whitney U statistic).
 *
 * Positives are the retrieved documents with label >= the relevance threshold. Negatives depend on `depth`:
 * - undefined ("auc"): retrieved documents judged non-relevant (0 <= label < threshold). Unjudged and
 *   negative-label documents are left out, so this needs qrels with judged negatives;
 * - a number d ("auc_d", e.g. auc_500, the §2 protocol): every other document among the first d ranks,
 *   judged or not ("top-d passages excluding known positives").
 * Per query, AUC is undefined when the query has no positive or no negative; evaluate() then leaves the
 * value out of that query's record and averages over the queries where it is defined (see meanCount).
 * The global AUC pools every evaluated query's positives and negatives into one set (§2, step 3), which is
 * what makes scores comparable across queries.
 */
import type { PreparedQuery } from "./ranking.js";

/** Per-query AUC from the prepared ranking (scores are already non-increasing), NaN when undefined. */
export function queryAuc(q: PreparedQuery, depth: number | undefined): number {
  const rels = q.rels;
  const scores = q.scores;
  const threshold = q.threshold;
  const n = q.numRet;
  const negLimit = depth === undefined ? n : Math.min(depth, n);
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < n; i++) {
    const kind = classify(rels[i] as number, i, threshold, depth, negLimit);
    if (kind === 1) pos++;
    else if (kind === -1) neg++;
  }
  if (pos === 0 || neg === 0) return Number.NaN;
  // Sweep the tie groups from the highest score down: a positive beats every negative below its group and
  // ties with the negatives inside it.
  let u = 0;
  let negAbove = 0;
  let i = 0;
  while (i < n) {
    const s = scores[i] as number;
    let pg = 0;
    let ng = 0;
    let j = i;
    while (j < n && (scores[j] as number) === s) {
      const kind = classify(rels[j] as number, j, threshold, depth, negLimit);
      if (kind === 1) pg++;
      else if (kind === -1) ng++;
      j++;
    }
    if (pg > 0) u += pg * (neg - negAbove - ng) + 0.5 * pg * ng;
    negAbove += ng;
    i = j;
  }
  return u / (pos * neg);
}

/** 1 positive, -1 negative, 0 neither. */
function classify(
  rel: number,
  rank: number,
  threshold: number,
  depth: number | undefined,
  negLimit: number,
): number {
  if (rel >= threshold) return 1;
  if (depth === undefined) return rel >= 0 ? -1 : 0;
  return rank < negLimit ? -1 : 0;
}

/** Collects positive and negative scores across queries for the global (pooled) AUC. */
export class AucPool {
  private pos = new Float64Array(1024);
  private neg = new Float64Array(1024);
  private numPos = 0;
  private numNeg = 0;

  constructor(readonly depth: number | undefined) {}

  add(q: PreparedQuery): void {
    const rels = q.rels;
    const scores = q.scores;
    const n = q.numRet;
    const negLimit = this.depth === undefined ? n : Math.min(this.depth, n);
    for (let i = 0; i < n; i++) {
      const kind = classify(rels[i] as number, i, q.threshold, this.depth, negLimit);
      if (kind === 1) {
        if (this.numPos === this.pos.length) this.pos = growTo(this.pos);
        this.pos[this.numPos++] = scores[i] as number;
      } else if (kind === -1) {
        if (this.numNeg === this.neg.length) this.neg = growTo(this.neg);
        this.neg[this.numNeg++] = scores[i] as number;
      }
    }
  }

  /** The pooled AUC, NaN when there are no positives or no negatives. */
  auc(): number {
    return aucOfScores(this.pos.subarray(0, this.numPos), this.neg.subarray(0, this.numNeg));
  }
}

/** AUC = U / (n+ n−) of two score samples (sorted in place). NaN when either is empty. */
export function aucOfScores(pos: Float64Array, neg: Float64Array): number {
  if (pos.length === 0 || neg.length === 0) return Number.NaN;
  pos.sort();
  neg.sort();
  let u = 0;
  let below = 0; // negatives strictly below the current positive
  let upTo = 0; // negatives <= the current positive
  for (let i = 0; i < pos.length; i++) {
    const p = pos[i] as number;
    while (below < neg.length && (neg[below] as number) < p) below++;
    if (upTo < below) upTo = below;
    while (upTo < neg.length && (neg[upTo] as number) <= p) upTo++;
    u += below + 0.5 * (upTo - below);
  }
  return u / (pos.length * neg.length);
}

function growTo(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const next = new Float64Array(a.length * 2);
  next.set(a);
  return next;
}
