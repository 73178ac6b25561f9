/** Prometheus metrics of the evaluator (served on /metrics by main.ts). */
import { isFerretError } from "@ferret/errors";
import { Counter, Histogram, type Registry } from "@ferret/metrics";

export interface EvaluatorMetrics {
  /** Times one RPC; the outcome label is "OK" or the FerretError code it failed with. */
  timeCall<T>(method: string, call: () => Promise<T>): Promise<T>;
  /** Counts a finished evaluation job: computed, skipped (result already stored), failed or retried. */
  jobFinished(outcome: "computed" | "skipped" | "failed" | "retried", seconds: number): void;
}

export function evaluatorMetrics(registry: Registry): EvaluatorMetrics {
  const calls = new Counter({
    name: "ferret_evaluator_calls_total",
    help: "Evaluator RPCs by method and outcome (OK or the error code)",
    labelNames: ["method", "outcome"] as const,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: "ferret_evaluator_call_seconds",
    help: "Evaluator RPC duration",
    labelNames: ["method"] as const,
    buckets: [0.005, 0.02, 0.1, 0.5, 1, 2, 5, 15, 60],
    registers: [registry],
  });
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
    async timeCall(method, call) {
      const end = seconds.startTimer({ method });
      let outcome = "OK";
      try {
        return await call();
      } catch (err) {
        outcome = isFerretError(err) ? err.code : "INTERNAL";
        throw err;
      } finally {
        end();
        calls.inc({ method, outcome });
      }
    },
    jobFinished(outcome, took) {
      jobs.inc({ outcome });
      jobSeconds.observe(took);
    },
  };
}

/** Metrics that record nothing (tests, library use). */
export const noMetrics: EvaluatorMetrics = {
  timeCall: (_method, call) => call(),
  jobFinished: () => undefined,
};
