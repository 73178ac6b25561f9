/** Prometheus metrics of the annotator (served on /metrics by main.ts through startAnnotator). */
import { isFerretError } from "@ferret/errors";
import { Counter, Histogram, type Registry } from "@ferret/metrics";
import type { AnnotationWorkerMetrics } from "../jobs/annotation-worker.js";
import type { LlmMetrics } from "../llm/structured-call.js";

export interface AnnotatorMetrics extends LlmMetrics, AnnotationWorkerMetrics {
  /** Times one RPC; the outcome label is "OK" or the FerretError code it failed with. */
  timeCall<T>(method: string, call: () => Promise<T>): Promise<T>;
  /** The same for a streaming RPC: call the returned function when it ends (with its error, if any). */
  startCall(method: string): (err?: unknown) => void;
}

export function annotatorMetrics(registry: Registry): AnnotatorMetrics {
  const calls = new Counter({
    name: "ferret_annotator_calls_total",
    help: "Annotator RPCs by method and outcome (OK or the error code)",
    labelNames: ["method", "outcome"] as const,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: "ferret_annotator_call_seconds",
    help: "Annotator RPC duration (WatchJob: the whole stream)",
    labelNames: ["method"] as const,
    buckets: [0.005, 0.02, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
    registers: [registry],
  });
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
  const startCall = (method: string) => {
    const end = seconds.startTimer({ method });
    return (err?: unknown): void => {
      end();
      calls.inc({ method, outcome: err === undefined ? "OK" : isFerretError(err) ? err.code : "INTERNAL" });
    };
  };
  return {
    async timeCall(method, call) {
      const end = startCall(method);
      try {
        const result = await call();
        end();
        return result;
      } catch (err) {
        end(err);
        throw err;
      }
    },
    startCall,
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
  timeCall: (_method, call) => call(),
  startCall: () => () => undefined,
  llmCall: () => undefined,
  llmTokens: () => undefined,
  batchFinished: () => undefined,
  itemLabelled: () => undefined,
};
