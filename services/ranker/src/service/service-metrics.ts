/** Prometheus metrics of the ranker (served on /metrics by main.ts through startRanker). */
import { isFerretError } from "@ferret/errors";
import { Counter, Histogram, type Registry } from "@ferret/metrics";
import type { ScoreWorkerMetrics } from "../jobs/score-worker.js";

export interface RankerMetrics extends ScoreWorkerMetrics {
  /** Times one RPC; the outcome label is "OK" or the FerretError code it failed with. */
  timeCall<T>(method: string, call: () => Promise<T>): Promise<T>;
  /** The same for a streaming RPC: call the returned function when it ends (with its error, if any). */
  startCall(method: string): (err?: unknown) => void;
  /** (query, passage) pairs scored by a cross-encoder in a call (Score, Rerank). */
  pairsScored(count: number): void;
}

export function rankerMetrics(registry: Registry): RankerMetrics {
  const calls = new Counter({
    name: "ferret_ranker_calls_total",
    help: "Ranker RPCs by method and outcome (OK or the error code)",
    labelNames: ["method", "outcome"] as const,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: "ferret_ranker_call_seconds",
    help: "Ranker RPC duration (WatchScoreJob: the whole stream)",
    labelNames: ["method"] as const,
    buckets: [0.005, 0.02, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers: [registry],
  });
  const pairs = new Counter({
    name: "ferret_ranker_pairs_scored_total",
    help: "(query, passage) pairs scored by this replica: in Score and Rerank calls and in score job batches",
    registers: [registry],
  });
  const batches = new Counter({
    name: "ferret_ranker_score_batches_total",
    help: "Score job batch deliveries handled by this replica's worker, by outcome",
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
    pairsScored(count) {
      if (count > 0) pairs.inc(count);
    },
    batchFinished(outcome, pairsScored) {
      batches.inc({ outcome });
      if (pairsScored > 0) pairs.inc(pairsScored);
    },
  };
}

/** Metrics that record nothing (tests, library use). */
export const noMetrics: RankerMetrics = {
  timeCall: (_method, call) => call(),
  startCall: () => () => undefined,
  pairsScored: () => undefined,
  batchFinished: () => undefined,
};
