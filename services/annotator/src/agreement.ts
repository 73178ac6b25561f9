/**
 * Agreement of LLM labels with human qrels on the pairs both judged: Cohen's kappa (Cohen 1960,
 * "A coefficient of agreement for nominal scales"), κ = (p_o − p_e) / (1 − p_e) with p_e from the
 * marginals, optionally linearly or quadratically weighted for graded scales (Cohen 1968), as
 * sklearn.metrics.cohen_kappa_score computes it; plus the confusion matrix (rows human, columns LLM).
 */
import type { Qrels } from "@ferret/datasets";

export type KappaWeights = "none" | "linear" | "quadratic";

export function cohenKappa(
  a: readonly number[],
  b: readonly number[],
  weights: KappaWeights = "none",
): number {
  if (a.length !== b.length) throw new RangeError("the two label lists differ in length");
  const labels = [...new Set([...a, ...b])].sort((x, y) => x - y);
  const index = new Map(labels.map((l, i) => [l, i]));
  const k = labels.length;
  const n = a.length;
  if (n === 0) return Number.NaN;
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) confusion[index.get(a[i]!)!]![index.get(b[i]!)!]! += 1;
  const rows = confusion.map((r) => r.reduce((s, v) => s + v, 0));
  const cols = labels.map((_, j) => confusion.reduce((s, r) => s + r[j]!, 0));
  // Weights over label indices, as sklearn does (disagreement weights, 0 on the diagonal).
  const w = (i: number, j: number): number =>
    weights === "none" ? (i === j ? 0 : 1) : weights === "linear" ? Math.abs(i - j) : (i - j) ** 2;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      observed += w(i, j) * confusion[i]![j]!;
      expected += (w(i, j) * rows[i]! * cols[j]!) / n;
    }
  }
  return 1 - observed / expected;
}

export interface AgreementReport {
  /** (query, doc) pairs judged by both. */
  pairs: number;
  /** Labels present on either side, sorted. */
  labels: number[];
  /** confusion[i][j]: pairs the human graded labels[i] and the LLM labels[j]. */
  confusion: number[][];
  kappa: number;
  kappaLinear: number;
  kappaQuadratic: number;
  /** Kappa after binarising both at `threshold` (relevant = label >= threshold). */
  kappaBinary: number;
  accuracy: number;
  threshold: number;
}

export function agreementReport(human: Qrels, llm: Qrels, threshold = 1): AgreementReport {
  const h: number[] = [];
  const l: number[] = [];
  for (const [qid, docs] of llm) {
    const humanDocs = human.get(qid);
    if (!humanDocs) continue;
    for (const [docid, rel] of docs) {
      const hr = humanDocs.get(docid);
      if (hr === undefined) continue;
      h.push(hr);
      l.push(rel);
    }
  }
  const labels = [...new Set([...h, ...l])].sort((x, y) => x - y);
  const index = new Map(labels.map((v, i) => [v, i]));
  const confusion = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < h.length; i++) confusion[index.get(h[i]!)!]![index.get(l[i]!)!]! += 1;
  const agree = h.filter((v, i) => v === l[i]).length;
  return {
    pairs: h.length,
    labels,
    confusion,
    kappa: cohenKappa(h, l),
    kappaLinear: cohenKappa(h, l, "linear"),
    kappaQuadratic: cohenKappa(h, l, "quadratic"),
    kappaBinary: cohenKappa(
      h.map((v) => (v >= threshold ? 1 : 0)),
      l.map((v) => (v >= threshold ? 1 : 0)),
    ),
    accuracy: h.length ? agree / h.length : Number.NaN,
    threshold,
  };
}
