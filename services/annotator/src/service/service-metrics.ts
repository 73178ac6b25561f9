/** Prometheus metrics of the annotator (served on /metrics by main.ts through startAnnotator). */
import { createRegistry, serviceMetrics, type Registry, type RpcMetrics } from "@ferret/metrics";
import type { AnnotationWorkerMetrics } from "../jobs/annotation-worker.js";
import type { LlmMetrics } from "../llm/structured-call.js";

export type AnnotatorMetrics = RpcMetrics & LlmMetrics & AnnotationWorkerMetrics;

export function annotatorMetrics(registry: Registry): AnnotatorMetrics {
  const m = serviceMetrics(registry, "annotator", { durationNote: "WatchJob: the whole stream" });
  const llmCalls = m.counter(
    "llm_calls_total",
    "LLM requests by outcome (ok, retried, failed), and task runs answered from the cache (cached)",
    ["outcome"],
  );
  const llmTokens = m.counter(
    "llm_tokens_total",
    "Tokens of answered LLM requests, by kind (prompt, completion)",
    ["kind"],
  );
  const batches = m.counter(
    "batches_total",
    "Job batch deliveries handled by this replica's worker, by outcome",
    ["outcome"],
  );
  const items = m.counter(
    "items_labelled_total",
    "Job items run by this replica's worker, by outcome (ok: all its labels ok)",
    ["outcome"],
  );
  return {
    ...m.rpc,
    llmCall: (outcome) => llmCalls.inc({ outcome }),
    llmTokens(usage) {
      if (usage.promptTokens > 0) llmTokens.inc({ kind: "prompt" }, usage.promptTokens);
      if (usage.completionTokens > 0) llmTokens.inc({ kind: "completion" }, usage.completionTokens);
    },
    batchFinished: (outcome) => batches.inc({ outcome }),
    itemLabelled: (outcome) => items.inc({ outcome }),
  };
}

/** Metrics kept in a registry nobody serves (tests, library use). */
export const noMetrics: AnnotatorMetrics = annotatorMetrics(createRegistry({ defaults: false }));
