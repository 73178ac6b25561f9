/** Prometheus metrics of the annotator (served on /metrics by main.ts through startAnnotator). */
import { Counter, noRpcMetrics, rpcMetrics, type Registry, type RpcMetrics } from "@ferret/metrics";
import type { AnnotationWorkerMetrics } from "../jobs/annotation-worker.js";
import type { LlmMetrics } from "../llm/structured-call.js";

export type AnnotatorMetrics = RpcMetrics & LlmMetrics & AnnotationWorkerMetrics;

export function annotatorMetrics(registry: Registry): AnnotatorMetrics {
  const rpc = rpcMetrics(registry, "annotator", { durationNote: "WatchJob: the whole stream" });
  const llmCalls = new Counter({
    name: "ferret_annotator_llm_calls_total",
    help: "LLM requests by outcome (ok, retried, failed), and task runs answered from the cache (cached)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const llmTokens = new Counter({
    name: "ferret_annotator_llm_tokens_total",
    help: "Tokens of answered LLM requests, by kind (prompt, completion)",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const batches = new Counter({
    name: "ferret_annotator_batches_total",
    help: "Job batch deliveries handled by this replica's worker, by outcome",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const items = new Counter({
    name: "ferret_annotator_items_labelled_total",
    help: "Job items run by this replica's worker, by outcome (ok: all its labels ok)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  return {
    ...rpc,
    llmCall(outcome) {
      llmCalls.inc({ outcome });
    },
    llmTokens(usage) {
      if (usage.promptTokens > 0) llmTokens.inc({ kind: "prompt" }, usage.promptTokens);
      if (usage.completionTokens > 0) llmTokens.inc({ kind: "completion" }, usage.completionTokens);
    },
    batchFinished(outcome) {
      batches.inc({ outcome });
    },
    itemLabelled(outcome) {
      items.inc({ outcome });
    },
  };
}

/** Metrics that record nothing (tests, library use). */
export const noMetrics: AnnotatorMetrics = {
  ...noRpcMetrics,
  llmCall: () => undefined,
  llmTokens: () => undefined,
  batchFinished: () => undefined,
  itemLabelled: () => undefined,
};
