/** Prometheus metrics of the ranker (served on /metrics by main.ts through startRanker). */
import { createRegistry, serviceMetrics, type Registry, type RpcMetrics } from "@ferret/metrics";
import type { ScoreWorkerMetrics } from "../jobs/score-worker.js";

export interface RankerMetrics extends RpcMetrics, ScoreWorkerMetrics {
  /** (query, passage) pairs scored by a cross-encoder in a call (Score, Rerank). */
  pairsScored(count: number): void;
}

export function rankerMetrics(registry: Registry): RankerMetrics {
  const m = serviceMetrics(registry, "ranker", { durationNote: "WatchScoreJob: the whole stream" });
  const pairs = m.counter(
    "pairs_scored_total",
    "(query, passage) pairs scored by this replica: in Score and Rerank calls and in score job batches",
  );
  const batches = m.counter(
    "score_batches_total",
    "Score job batch deliveries handled by this replica's worker, by outcome",
    ["outcome"],
  );
  return {
    ...m.rpc,
    pairsScored: (count) => pairs.inc(count),
    batchFinished(outcome, pairsScored) {
      batches.inc({ outcome });
      pairs.inc(pairsScored);
    },
  };
}

/** Metrics kept in a registry nobody serves (tests, library use). */
export const noMetrics: RankerMetrics = rankerMetrics(createRegistry({ defaults: false }));
