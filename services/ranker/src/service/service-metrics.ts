/** Prometheus metrics of the ranker (served on /metrics by main.ts through startRanker). */
import { Counter, noRpcMetrics, rpcMetrics, type Registry, type RpcMetrics } from "@ferret/metrics";
import type { ScoreWorkerMetrics } from "../jobs/score-worker.js";

export interface RankerMetrics extends RpcMetrics, ScoreWorkerMetrics {
  /** (query, passage) pairs scored by a cross-encoder in a call (Score, Rerank). */
  pairsScored(count: number): void;
}

export function rankerMetrics(registry: Registry): RankerMetrics {
  const rpc = rpcMetrics(registry, "ranker", { durationNote: "WatchScoreJob: the whole stream" });
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
  return {
    ...rpc,
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
  ...noRpcMetrics,
  pairsScored: () => undefined,
  batchFinished: () => undefined,
};
