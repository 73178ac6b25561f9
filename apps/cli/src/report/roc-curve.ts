/**
 * The ROC curve of a run's scores: relevant vs non-relevant retrieved documents, pooled over queries (the
 * MW-loss diagnostic of research-methods §2: a model trained with an AUC loss should push this curve up).
 * The AUC itself is the evaluator's Mann–Whitney aucOfScores over the same scores; the curve is only for
 * the eye, thinned to at most `maxPoints` points.
 */
import type { Qrels, Run } from "@ferret/datasets";
import { aucOfScores } from "@ferret/evaluator";
import type { ReportPoint } from "./report-json.js";

export interface RocCurve {
  auc: number;
  positives: number;
  negatives: number;
  points: ReportPoint[];
}

export function rocCurve(
  run: Run,
  qrels: Qrels,
  options: { minGrade?: number; maxPoints?: number } = {},
): RocCurve {
  const minGrade = options.minGrade ?? 1;
  const scored: { score: number; relevant: boolean }[] = [];
  for (const [qid, judgments] of qrels) {
    const hits = run.get(qid);
    if (hits === undefined) continue;
    for (const [docid, score] of hits)
      scored.push({ score, relevant: (judgments.get(docid) ?? 0) >= minGrade });
  }
  const pos = Float64Array.from(scored.filter((s) => s.relevant).map((s) => s.score));
  const neg = Float64Array.from(scored.filter((s) => !s.relevant).map((s) => s.score));
  const auc = aucOfScores(pos, neg);
  scored.sort((a, b) => b.score - a.score);
  const all: ReportPoint[] = [{ x: 0, y: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < scored.length; i++) {
    const s = scored[i]!;
    if (s.relevant) tp++;
    else fp++;
    // One point per distinct score: tied documents move the curve diagonally together.
    if (i + 1 === scored.length || scored[i + 1]!.score !== s.score)
      all.push({ x: neg.length === 0 ? 0 : fp / neg.length, y: pos.length === 0 ? 0 : tp / pos.length });
  }
  const maxPoints = options.maxPoints ?? 200;
  const step = Math.max(1, Math.ceil(all.length / maxPoints));
  const points = all.filter((_p, i) => i % step === 0 || i === all.length - 1);
  return { auc, positives: pos.length, negatives: neg.length, points };
}

/** Area under a polyline by the trapezoid rule. */
export function trapezoidArea(points: readonly ReportPoint[]): number {
  let area = 0;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    area += ((b.x - a.x) * (a.y + b.y)) / 2;
  }
  return area;
}
