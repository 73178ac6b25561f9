/** Prometheus metrics of the evaluator (served on /metrics by main.ts). */
import { createRegistry, serviceMetrics, type Registry, type RpcMetrics } from "@ferret/metrics";

export interface EvaluatorMetrics extends RpcMetrics {
  /**
   * Counts evaluation job outcomes: computed, skipped (the job had ended), failed (the job), or retried (a
   * delivery that failed with an error worth retrying).
   */
  jobFinished(outcome: "computed" | "skipped" | "failed" | "retried", seconds: number): void;
}

export function evaluatorMetrics(registry: Registry): EvaluatorMetrics {
  const m = serviceMetrics(registry, "evaluator", { buckets: [0.005, 0.02, 0.1, 0.5, 1, 2, 5, 15, 60] });
  const jobs = m.counter("jobs_total", "Evaluation jobs by outcome", ["outcome"]);
  const jobSeconds = m.histogram("job_seconds", "Evaluation job duration", [0.05, 0.2, 1, 5, 15, 60, 300]);
  return {
    ...m.rpc,
    jobFinished(outcome, took) {
      jobs.inc({ outcome });
      jobSeconds.observe(took);
    },
  };
}

/** Metrics kept in a registry nobody serves (tests, library use). */
export const noMetrics: EvaluatorMetrics = evaluatorMetrics(createRegistry({ defaults: false }));
