/** Prometheus metrics of the evaluator (served on /metrics by main.ts). */
import {
  Counter,
  Histogram,
  noRpcMetrics,
  rpcMetrics,
  type Registry,
  type RpcMetrics,
} from "@ferret/metrics";

export interface EvaluatorMetrics extends RpcMetrics {
  /**
   * Counts evaluation job outcomes: computed, skipped (the job had ended), failed (the job), or retried (a
   * delivery that failed with an error worth retrying).
   */
  jobFinished(outcome: "computed" | "skipped" | "failed" | "retried", seconds: number): void;
}

export function evaluatorMetrics(registry: Registry): EvaluatorMetrics {
  const rpc = rpcMetrics(registry, "evaluator", { buckets: [0.005, 0.02, 0.1, 0.5, 1, 2, 5, 15, 60] });
  const jobs = new Counter({
    name: "ferret_evaluator_jobs_total",
    help: "Evaluation jobs by outcome",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const jobSeconds = new Histogram({
    name: "ferret_evaluator_job_seconds",
    help: "Evaluation job duration",
    buckets: [0.05, 0.2, 1, 5, 15, 60, 300],
    registers: [registry],
  });
  return {
    ...rpc,
    jobFinished(outcome, took) {
      jobs.inc({ outcome });
      jobSeconds.observe(took);
    },
  };
}

/** Metrics that record nothing (tests, library use). */
export const noMetrics: EvaluatorMetrics = {
  ...noRpcMetrics,
  jobFinished: () => undefined,
};
