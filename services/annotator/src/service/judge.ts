/**
 * Judge's synchronous judgments of a few passages for one query, through the annotator (and its
 * cache): graded relevance per passage, or the listwise utility steps over all of them
 * (utility-labels.ts). A failed item is reported with its error and raw reply, never a guessed label.
 */
import type { Judgment } from "@ferret/proto";
import type { Annotator } from "../annotator.js";
import type { LabelRecord } from "../labels.js";
import type { PassageText } from "../tasks/passage-format.js";
import { relevanceTask } from "../tasks/relevance.js";
import { utilityLabels } from "../utility-labels.js";

export async function judgeRelevance(
  annotator: Annotator,
  query: { id: string; text: string },
  passages: PassageText[],
  signal?: AbortSignal,
): Promise<Judgment[]> {
  const runs = await Promise.all(
    passages.map((passage) => annotator.run(relevanceTask, { query, passage }, signal)),
  );
  return runs.map((run, i) => ({
    docId: passages[i]!.id,
    grade: run.outcome.status === "ok" ? run.outcome.value.grade : 0,
    ok: run.outcome.status === "ok",
    error: run.outcome.status === "failed" ? run.outcome.error : "",
    rawResponse: run.outcome.status === "failed" ? run.outcome.raw : "",
    promptVersion: run.promptVersion,
    model: run.outcome.model,
    cached: run.cached,
    relevant: false,
    utility: false,
    utilityRank: 0,
  }));
}

function judgmentOf(label: LabelRecord, model: string): Judgment {
  const failedStep = label.steps.find((s) => s.status === "failed");
  return {
    docId: label.docId,
    grade: 0,
    ok: label.status === "ok",
    error: label.error ?? "",
    rawResponse: failedStep?.raw ?? "",
    promptVersion: label.steps.map((s) => s.promptVersion).join(","),
    model: label.steps.at(-1)?.model ?? model,
    cached: label.steps.every((s) => s.cached),
    relevant: label.relevant ?? false,
    utility: label.utility ?? false,
    utilityRank: label.utilityRank ?? 0,
  };
}

export async function judgeUtility(
  annotator: Annotator,
  query: { id: string; text: string },
  passages: PassageText[],
  options: { variant: "selection" | "ranking"; topPercent?: number; signal?: AbortSignal },
): Promise<Judgment[]> {
  const labels = await utilityLabels(
    annotator,
    {
      query,
      passages,
      variant: options.variant,
      ...(options.topPercent !== undefined ? { topPercent: options.topPercent } : {}),
    },
    options.signal,
  );
  const byDoc = new Map(labels.map((l) => [l.docId, l]));
  // in request order (the labels come in window order)
  return passages.map((p) => judgmentOf(byDoc.get(p.id)!, annotator.model));
}
