import { labelUsage, type LabelRecord } from "../labels.js";
import { ZERO_COUNTS } from "./annotation-progress.js";
import type { BatchCounts } from "./job-types.js";

/**
 * Counts of one batch's labels. Steps shared by several labels (the listwise calls of one query's
 * pool) are counted once, by cache key.
 */
export function countLabels(items: number, labels: readonly LabelRecord[]): BatchCounts {
  const counts = { ...ZERO_COUNTS, items };
  const seen = new Set<string>();
  for (const label of labels) {
    if (label.status === "ok") counts.labelsOk++;
    else counts.labelsFailed++;
    const fresh = label.steps.filter((s) => !seen.has(s.cacheKey));
    for (const s of fresh) {
      seen.add(s.cacheKey);
      if (s.cached) counts.cachedSteps++;
    }
    const usage = labelUsage({ ...label, steps: fresh });
    counts.llmCalls += usage.llmCalls;
    counts.promptTokens += usage.promptTokens;
    counts.completionTokens += usage.completionTokens;
  }
  return counts;
}
