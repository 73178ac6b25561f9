/**
 * Utility labels for one query's candidate pool (Zhang et al. 2025, research-methods.md §1):
 * 1. RelSel in shuffled windows of at most 16 (positions kept);
 * 2. one pseudo-answer for the query from the passages selected as relevant (the first 16 in retrieval
 *    order when more were selected);
 * 3. UtilSel over the relevant passages, in equal windows of at most 16, all given the same answer; or
 *    UtilRank: the relevant passages ranked by utility with RankGPT's sliding windows
 *    (sliding-window-rank.ts) and the global top k% kept (k = 10 by default, at least one), so the
 *    kept share is of the query's relevant passages, not of each window's.
 * A step that fails (after its one re-ask) fails exactly the labels it decides: a failed RelSel the
 * passages of its window; a failed answer or utility step the relevant passages (a passage not
 * selected as relevant has no utility whatever the later steps say). Nothing is guessed.
 */
import type { Annotator, TaskRun } from "./annotator.js";
import { stepOf, type LabelRecord, type StepProvenance } from "./labels.js";
import {
  MAX_WINDOW,
  pseudoAnswerTask,
  relevanceSelectionTask,
  topPercent,
  utilityRankingTask,
  utilitySelectionTask,
} from "./tasks/listwise.js";
import type { PassageText } from "./tasks/passage-format.js";
import { slidingWindowTopK } from "./tasks/sliding-window-rank.js";
import { equalChunks, shuffledWindows, type Placed } from "./tasks/windows.js";

export interface UtilityItem {
  query: { id: string; text: string };
  passages: PassageText[];
  variant: "selection" | "ranking";
  /** UtilRank: percent kept (default 10, at least one). */
  topPercent?: number;
}

/** Cache keys of the RelSel calls (known before anything runs). */
export function utilityFirstStepKeys(annotator: Annotator, item: UtilityItem): string[] {
  return shuffledWindows(item.passages, item.query.id).map((window) =>
    annotator.keyOf(relevanceSelectionTask, { query: item.query, passages: window.map((p) => p.item) }),
  );
}

interface Judged {
  placed: Placed<PassageText>;
  relevant: boolean;
  steps: StepProvenance[];
  /** Set when a step deciding this passage failed. */
  error?: string;
  utility?: boolean;
  utilityRank?: number;
}

export async function utilityLabels(
  annotator: Annotator,
  item: UtilityItem,
  signal?: AbortSignal,
): Promise<LabelRecord[]> {
  const query = item.query;
  const windows = shuffledWindows(item.passages, query.id);
  const judged: Judged[] = [];
  await Promise.all(
    windows.map(async (window) => {
      const run = await annotator.run(
        relevanceSelectionTask,
        { query, passages: window.map((p) => p.item) },
        signal,
      );
      const step = stepOf(run, relevanceSelectionTask.name);
      const ids = run.outcome.status === "ok" ? new Set(run.outcome.value) : new Set<number>();
      for (const placed of window) {
        judged.push({
          placed,
          relevant: ids.has(placed.identifier),
          steps: [step],
          ...(run.outcome.status === "failed" ? { error: run.outcome.error } : {}),
        });
      }
    }),
  );
  // windows finish in any order: back to window, then identifier order
  judged.sort((a, b) => a.placed.window - b.placed.window || a.placed.identifier - b.placed.identifier);
  const relevant = judged.filter((j) => j.relevant && j.error === undefined);
  if (relevant.length > 0) await judgeUtility(annotator, item, relevant, signal);
  return judged.map((j) => label(query.id, j));
}

function failAll(judged: Judged[], step: StepProvenance, error: string): void {
  for (const j of judged) {
    j.steps.push(step);
    j.error = error;
  }
}

async function judgeUtility(
  annotator: Annotator,
  item: UtilityItem,
  relevant: Judged[],
  signal: AbortSignal | undefined,
): Promise<void> {
  const query = item.query;
  const answerFrom = [...relevant]
    .sort((a, b) => a.placed.originalPosition - b.placed.originalPosition)
    .slice(0, MAX_WINDOW)
    .map((j) => j.placed.item);
  const answer = await annotator.run(pseudoAnswerTask, { query, passages: answerFrom }, signal);
  const answerStep = stepOf(answer, pseudoAnswerTask.name);
  if (answer.outcome.status === "failed") return failAll(relevant, answerStep, answer.outcome.error);
  for (const j of relevant) j.steps.push(answerStep);
  const input = (window: Judged[]) => ({
    query,
    passages: window.map((j) => j.placed.item),
    answer: answer.outcome.status === "ok" ? answer.outcome.value : "",
  });

  if (item.variant === "selection") {
    await Promise.all(
      equalChunks(relevant, MAX_WINDOW).map(async (window) => {
        const run = await annotator.run(utilitySelectionTask, input(window), signal);
        const step = stepOf(run, utilitySelectionTask.name);
        if (run.outcome.status === "failed") return failAll(window, step, run.outcome.error);
        const picked = new Set(run.outcome.value);
        window.forEach((j, i) => {
          j.steps.push(step);
          j.utility = picked.has(i + 1);
        });
      }),
    );
    return;
  }

  const keep = topPercent(relevant, item.topPercent ?? 10).length;
  const runs: { window: Judged[]; run: TaskRun<number[]> }[] = [];
  const result = await slidingWindowTopK(relevant, keep, async (window) => {
    const run = await annotator.run(utilityRankingTask, input(window), signal);
    runs.push({ window, run });
    return run.outcome.status === "ok"
      ? { ok: true, order: run.outcome.value.map((id) => id - 1) }
      : { ok: false, error: run.outcome.error };
  });
  // each passage records the ranking calls it took part in (every call is in some label's steps, so
  // a job's call and token counts include them)
  for (const { window, run } of runs) {
    const step = stepOf(run, utilityRankingTask.name);
    for (const j of window) j.steps.push(step);
  }
  if (!result.ok) {
    for (const j of relevant) j.error = result.error;
    return;
  }
  result.ranked.forEach((j, i) => {
    j.utility = i < keep;
    if (i < keep) j.utilityRank = i + 1;
  });
}

function label(queryId: string, j: Judged): LabelRecord {
  const window = {
    index: j.placed.window,
    identifier: j.placed.identifier,
    originalPosition: j.placed.originalPosition,
  };
  const base = { kind: "utility" as const, queryId, docId: j.placed.item.id, window, steps: j.steps };
  if (j.error !== undefined) return { ...base, status: "failed", relevant: j.relevant, error: j.error };
  return {
    ...base,
    status: "ok",
    relevant: j.relevant,
    utility: j.utility ?? false,
    ...(j.utilityRank !== undefined ? { utilityRank: j.utilityRank } : {}),
  };
}
