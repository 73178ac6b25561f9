/**
 * The label record: one judgment or synthetic text with its provenance (prompt version, model, backend,
 * cache key, asks, tokens). Failed items are labels too, with status "failed", the validation error and
 * the raw reply, and no grade: a label is never guessed.
 */
import type { TaskRun } from "./annotator.js";
import type { TokenUsage } from "./llm/types.js";

export type LabelKind = "relevance" | "utility" | "query" | "document";

export interface StepProvenance {
  task: string;
  promptVersion: string;
  model: string;
  backend: string;
  cacheKey: string;
  /** True when served from the cache (no tokens spent now). */
  cached: boolean;
  asks: number;
  llmCalls: number;
  usage: TokenUsage;
  createdAt: string;
  status: "ok" | "failed";
  error?: string;
  raw?: string;
}

export interface LabelRecord {
  kind: LabelKind;
  queryId: string;
  /** The judged passage, or the source passage of a synthetic query, or the id of a synthetic document. */
  docId: string;
  status: "ok" | "failed";
  /** Graded relevance 0-3 (relevance; the level of a synthetic document). */
  grade?: number;
  /** Listwise: selected as relevant (RelSel). */
  relevant?: boolean;
  /** Listwise: selected for utility (UtilSel) or kept in the top k% (UtilRank). */
  utility?: boolean;
  /** UtilRank: 1-based rank by utility among the RelSel passages of its window. */
  utilityRank?: number;
  /** Synthetic query or document text. */
  text?: string;
  queryType?: string;
  summary?: string;
  /** Window placement of a listwise judgment. */
  window?: { index: number; identifier: number; originalPosition: number };
  error?: string;
  /** Synthetic queries: the round-trip filter (does the query retrieve its own passage in the top k?). */
  roundTrip?: { k: number; rank: number | null; kept: boolean };
  steps: StepProvenance[];
  jobId?: string;
}

export function stepOf(run: TaskRun<unknown>, taskName: string): StepProvenance {
  const o = run.outcome;
  return {
    task: taskName,
    promptVersion: run.promptVersion,
    model: o.model,
    backend: run.backend,
    cacheKey: run.cacheKey,
    cached: run.cached,
    asks: o.asks,
    llmCalls: run.cached ? 0 : o.llmCalls,
    usage: run.cached ? { promptTokens: 0, completionTokens: 0 } : o.usage,
    createdAt: run.createdAt,
    status: o.status,
    ...(o.status === "failed" ? { error: o.error, raw: o.raw } : {}),
  };
}

export function labelUsage(label: LabelRecord): TokenUsage & { llmCalls: number } {
  let promptTokens = 0;
  let completionTokens = 0;
  let llmCalls = 0;
  for (const s of label.steps) {
    promptTokens += s.usage.promptTokens;
    completionTokens += s.usage.completionTokens;
    llmCalls += s.llmCalls;
  }
  return { promptTokens, completionTokens, llmCalls };
}
