/**
 * False-negative filtering (research-methods §6: unlabelled top-ranked documents are often relevant
 * documents nobody judged). Three rules, each optional, applied in this order and counted by reason:
 * - skipTop: a rank margin, dropping candidates the retriever ranked at or above it;
 * - maxTeacherScore: dropping candidates the teacher scores at or above an absolute threshold;
 * - relativeMargin: dropping candidates the teacher scores within a relative margin of the query's
 *   lowest-scored positive, keeping n only if t(n) < t(p) - margin * |t(p)|.
 */
import type { NegativeCandidate } from "./hard-negatives.js";
import type { FalseNegativeSpec } from "./spec.js";

export type FilterReason = "skipTop" | "maxTeacherScore" | "relativeMargin";

export interface FilterResult {
  kept: NegativeCandidate[];
  dropped: { candidate: NegativeCandidate; reason: FilterReason }[];
}

/**
 * `teacher` maps candidate ids to teacher scores and `positiveScores` holds the query's positives'
 * teacher scores; both are needed only by the teacher rules.
 */
export function filterFalseNegatives(
  candidates: readonly NegativeCandidate[],
  spec: FalseNegativeSpec | undefined,
  teacher?: { scores: ReadonlyMap<string, number>; positiveScores: readonly number[] },
): FilterResult {
  const kept: NegativeCandidate[] = [];
  const dropped: FilterResult["dropped"] = [];
  if (!spec) return { kept: [...candidates], dropped };
  const lowestPositive = teacher?.positiveScores.length ? Math.min(...teacher.positiveScores) : undefined;
  for (const c of candidates) {
    const t = teacher?.scores.get(c.id);
    let reason: FilterReason | undefined;
    if (c.rank > 0 && c.rank <= spec.skipTop) reason = "skipTop";
    else if (spec.maxTeacherScore !== undefined && t !== undefined && t >= spec.maxTeacherScore)
      reason = "maxTeacherScore";
    else if (
      spec.relativeMargin !== undefined &&
      t !== undefined &&
      lowestPositive !== undefined &&
      t >= lowestPositive - spec.relativeMargin * Math.abs(lowestPositive)
    )
      reason = "relativeMargin";
    if (reason) dropped.push({ candidate: c, reason });
    else kept.push(c);
  }
  return { kept, dropped };
}

/** Whether the spec has rules that need teacher scores of the candidates. */
export function needsTeacherScores(spec: FalseNegativeSpec | undefined): boolean {
  return spec?.maxTeacherScore !== undefined || spec?.relativeMargin !== undefined;
}
