/**
 * The unit of work a job is split into, and how each kind becomes labels:
 * - relevance: one (query, passage) pair -> one graded label;
 * - utility: one query and its candidate pool -> RelSel per window -> pseudo-answer -> UtilSel or
 *   UtilRank (top k%) -> one label per candidate;
 * - query: one passage -> one synthetic query (optionally round-trip filtered by the caller);
 * - document: one query and a level -> one synthetic document.
 * Items carry a stable `key` (their identity), which makes label storage idempotent.
 */
import type { Annotator } from "./annotator.js";
import { sha256Hex, canonicalJson } from "./label-cache.js";
import { stepOf, type LabelRecord, type StepProvenance } from "./labels.js";
import { gradedDocumentTask, type RelevanceLevel } from "./tasks/graded-documents.js";
import {
  pseudoAnswerTask,
  relevanceSelectionTask,
  topPercent,
  utilityRankingTask,
  utilitySelectionTask,
} from "./tasks/listwise.js";
import type { PassageText } from "./tasks/passage-format.js";
import { relevanceTask } from "./tasks/relevance.js";
import {
  syntheticQueryTask,
  type QueryExample,
  type QueryStyle,
  type QueryType,
} from "./tasks/synthetic-queries.js";
import { shuffledWindows } from "./tasks/windows.js";

export interface QueryRef {
  id: string;
  text: string;
}

export type WorkItem =
  | { kind: "relevance"; query: QueryRef; passage: PassageText; delimit?: boolean }
  | {
      kind: "utility";
      query: QueryRef;
      passages: PassageText[];
      variant: "selection" | "ranking";
      /** UtilRank: percent kept (default 10, at least one). */
      topPercent?: number;
    }
  | { kind: "query"; passage: PassageText; type: QueryType; style: QueryStyle; examples?: QueryExample[] }
  | { kind: "document"; query: QueryRef; level: RelevanceLevel };

/** Stable identity of an item (what it asks), used as its label key within a job. */
export function itemKey(item: WorkItem): string {
  switch (item.kind) {
    case "relevance":
      return sha256Hex(canonicalJson(["relevance", item.query.id, item.passage.id])).slice(0, 32);
    case "utility":
      return sha256Hex(canonicalJson(["utility", item.query.id, item.variant])).slice(0, 32);
    case "query":
      return sha256Hex(canonicalJson(["query", item.passage.id, item.type, item.style])).slice(0, 32);
    case "document":
      return sha256Hex(canonicalJson(["document", item.query.id, item.level])).slice(0, 32);
  }
}

export async function processItem(
  annotator: Annotator,
  item: WorkItem,
  signal?: AbortSignal,
): Promise<LabelRecord[]> {
  switch (item.kind) {
    case "relevance": {
      const run = await annotator.run(
        relevanceTask,
        { query: item.query, passage: item.passage, ...(item.delimit === false ? { delimit: false } : {}) },
        signal,
      );
      const step = stepOf(run, relevanceTask.name);
      const o = run.outcome;
      return [
        {
          kind: "relevance",
          queryId: item.query.id,
          docId: item.passage.id,
          status: o.status,
          ...(o.status === "ok" ? { grade: o.value.grade } : { error: o.error }),
          steps: [step],
        },
      ];
    }
    case "utility":
      return utilityLabels(annotator, item, signal);
    case "query": {
      const run = await annotator.run(
        syntheticQueryTask,
        {
          passage: item.passage,
          type: item.type,
          style: item.style,
          ...(item.examples ? { examples: item.examples } : {}),
        },
        signal,
      );
      const o = run.outcome;
      return [
        {
          kind: "query",
          queryId: `synth-${itemKey(item).slice(0, 16)}`,
          docId: item.passage.id,
          status: o.status,
          queryType: item.type,
          ...(o.status === "ok"
            ? { text: o.value.query, ...(o.value.summary ? { summary: o.value.summary } : {}) }
            : { error: o.error }),
          steps: [stepOf(run, syntheticQueryTask.name)],
        },
      ];
    }
    case "document": {
      const run = await annotator.run(gradedDocumentTask, { query: item.query, level: item.level }, signal);
      const o = run.outcome;
      return [
        {
          kind: "document",
          queryId: item.query.id,
          docId: `synth-${item.query.id}-L${item.level}`,
          status: o.status,
          grade: item.level,
          ...(o.status === "ok" ? { text: o.value } : { error: o.error }),
          steps: [stepOf(run, gradedDocumentTask.name)],
        },
      ];
    }
  }
}

async function utilityLabels(
  annotator: Annotator,
  item: Extract<WorkItem, { kind: "utility" }>,
  signal: AbortSignal | undefined,
): Promise<LabelRecord[]> {
  const labels: LabelRecord[] = [];
  const windows = shuffledWindows(item.passages, `${item.query.id}`);
  for (const window of windows) {
    const passages = window.map((p) => p.item);
    const placeOf = (p: (typeof window)[number]) => ({
      index: p.window,
      identifier: p.identifier,
      originalPosition: p.originalPosition,
    });
    const failAll = (steps: StepProvenance[], error: string): void => {
      for (const p of window) {
        labels.push({
          kind: "utility",
          queryId: item.query.id,
          docId: p.item.id,
          status: "failed",
          error,
          window: placeOf(p),
          steps,
        });
      }
    };
    const relsel = await annotator.run(relevanceSelectionTask, { query: item.query, passages }, signal);
    const steps = [stepOf(relsel, relevanceSelectionTask.name)];
    if (relsel.outcome.status === "failed") {
      failAll(steps, relsel.outcome.error);
      continue;
    }
    const relevantIds = new Set(relsel.outcome.value);
    const relevant = window.filter((p) => relevantIds.has(p.identifier));
    let utilityIds = new Map<number, number | undefined>(); // window identifier -> utility rank
    if (relevant.length > 0) {
      const sub = relevant.map((p) => p.item);
      const answer = await annotator.run(pseudoAnswerTask, { query: item.query, passages: sub }, signal);
      steps.push(stepOf(answer, pseudoAnswerTask.name));
      if (answer.outcome.status === "failed") {
        failAll(steps, answer.outcome.error);
        continue;
      }
      const utilTask = item.variant === "selection" ? utilitySelectionTask : utilityRankingTask;
      const util = await annotator.run(
        utilTask,
        { query: item.query, passages: sub, answer: answer.outcome.value },
        signal,
      );
      steps.push(stepOf(util, utilTask.name));
      if (util.outcome.status === "failed") {
        failAll(steps, util.outcome.error);
        continue;
      }
      // util ids index `sub` (1-based) -> back to window identifiers
      const picked =
        item.variant === "selection"
          ? util.outcome.value
          : topPercent(util.outcome.value, item.topPercent ?? 10);
      utilityIds = new Map(
        picked.map((subId, rank) => [
          relevant[subId - 1]!.identifier,
          item.variant === "ranking" ? rank + 1 : undefined,
        ]),
      );
    }
    for (const p of window) {
      const rank = utilityIds.get(p.identifier);
      labels.push({
        kind: "utility",
        queryId: item.query.id,
        docId: p.item.id,
        status: "ok",
        relevant: relevantIds.has(p.identifier),
        utility: utilityIds.has(p.identifier),
        ...(rank !== undefined ? { utilityRank: rank } : {}),
        window: placeOf(p),
        steps,
      });
    }
  }
  return labels;
}
