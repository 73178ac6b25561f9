/**
 * The unit of work a job is split into, and how each kind becomes labels:
 * - relevance: one (query, passage) pair -> one graded label;
 * - utility: one query and its candidate pool -> RelSel per window -> pseudo-answer -> UtilSel, or
 *   UtilRank with the global top k% kept (utility-labels.ts) -> one label per candidate;
 * - query: one passage -> one synthetic query (optionally round-trip filtered by the caller); in
 *   summarize-then-ask, a summary call and then an ask call, both steps in the label's provenance;
 * - document: one query and a level -> one synthetic document.
 * Items carry a stable `key` (their identity), which makes label storage idempotent.
 */
import type { Annotator, TaskRun } from "./annotator.js";
import { sha256Hex, canonicalJson } from "./label-cache.js";
import { stepOf, type LabelRecord, type StepProvenance } from "./labels.js";
import { gradedDocumentTask, type GradedDocInput, type RelevanceLevel } from "./tasks/graded-documents.js";
import type { PassageText } from "./tasks/passage-format.js";
import { relevanceTask, type RelevanceInput } from "./tasks/relevance.js";
import {
  askFromSummaryTask,
  passageSummaryTask,
  syntheticQueryTask,
  type QueryExample,
  type QueryGenInput,
  type QueryGenOutput,
  type QueryStyle,
  type QueryType,
} from "./tasks/synthetic-queries.js";
import { utilityFirstStepKeys, utilityLabels, type UtilityItem } from "./utility-labels.js";

export interface QueryRef {
  id: string;
  text: string;
}

export type WorkItem =
  | { kind: "relevance"; query: QueryRef; passage: PassageText; delimit?: boolean }
  | ({ kind: "utility" } & UtilityItem)
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

/** Each item's task input, built once, so its cache key is computed once (Annotator.keyOf). */
const inputs = new WeakMap<WorkItem, object>();

function memoInput<T extends object>(item: WorkItem, build: () => T): T {
  let input = inputs.get(item) as T | undefined;
  if (!input) inputs.set(item, (input = build()));
  return input;
}

function relevanceInput(item: Extract<WorkItem, { kind: "relevance" }>): RelevanceInput {
  return memoInput(item, () => ({
    query: item.query,
    passage: item.passage,
    ...(item.delimit === false ? { delimit: false } : {}),
  }));
}

function queryInput(item: Extract<WorkItem, { kind: "query" }>): QueryGenInput {
  return memoInput(item, () => ({
    passage: item.passage,
    type: item.type,
    style: item.style,
    ...(item.examples ? { examples: item.examples } : {}),
  }));
}

function documentInput(item: Extract<WorkItem, { kind: "document" }>): GradedDocInput {
  return memoInput(item, () => ({ query: item.query, level: item.level }));
}

/**
 * Cache keys of the LLM calls an item starts with (known before anything runs), so a batch can read
 * them from the cache together.
 */
export function firstStepKeys(annotator: Annotator, item: WorkItem): string[] {
  switch (item.kind) {
    case "relevance":
      return [annotator.keyOf(relevanceTask, relevanceInput(item))];
    case "utility":
      return utilityFirstStepKeys(annotator, item);
    case "query":
      return [
        item.style === "summarize-then-ask"
          ? annotator.keyOf(passageSummaryTask, queryInput(item))
          : annotator.keyOf(syntheticQueryTask, queryInput(item)),
      ];
    case "document":
      return [annotator.keyOf(gradedDocumentTask, documentInput(item))];
  }
}

export async function processItem(
  annotator: Annotator,
  item: WorkItem,
  signal?: AbortSignal,
): Promise<LabelRecord[]> {
  switch (item.kind) {
    case "relevance": {
      const run = await annotator.run(relevanceTask, relevanceInput(item), signal);
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
      const label = {
        kind: "query" as const,
        queryId: `synth-${itemKey(item).slice(0, 16)}`,
        docId: item.passage.id,
        queryType: item.type,
      };
      const steps: StepProvenance[] = [];
      let run: TaskRun<QueryGenOutput>;
      if (item.style === "summarize-then-ask") {
        const summary = await annotator.run(passageSummaryTask, queryInput(item), signal);
        steps.push(stepOf(summary, passageSummaryTask.name));
        const s = summary.outcome;
        if (s.status === "failed") return [{ ...label, status: "failed", error: s.error, steps }];
        run = await annotator.run(askFromSummaryTask, { ...queryInput(item), summary: s.value }, signal);
        steps.push(stepOf(run, askFromSummaryTask.name));
      } else {
        run = await annotator.run(syntheticQueryTask, queryInput(item), signal);
        steps.push(stepOf(run, syntheticQueryTask.name));
      }
      const o = run.outcome;
      return [
        {
          ...label,
          status: o.status,
          ...(o.status === "ok"
            ? { text: o.value.query, ...(o.value.summary ? { summary: o.value.summary } : {}) }
            : { error: o.error }),
          steps,
        },
      ];
    }
    case "document": {
      const run = await annotator.run(gradedDocumentTask, documentInput(item), signal);
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
