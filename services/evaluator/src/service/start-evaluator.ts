/**
 * Everything the evaluator process runs, wired from its config on the service runtime (@ferret/service: bus,
 * gRPC server, /metrics, ordered stop): where request artifacts are read, the gRPC Evaluator and the
 * evaluation job worker. `stop()` stops taking calls and jobs first (in-flight ones get the shutdown timeout
 * to finish), then closes the bus, then the metrics endpoint.
 */
import { serviceStart } from "@ferret/service";
import type { EvaluatorConfig } from "../config.js";
import { startEvaluationWorker } from "./evaluation-worker.js";
import { directoryArtifacts, objectStoreArtifacts } from "./artifacts.js";
import { createEvaluatorService } from "./evaluator-service.js";
import { evaluatorMetrics } from "./service-metrics.js";

export const startEvaluator = serviceStart(
  "evaluator",
  async (config: EvaluatorConfig, { bus, registry, logger, ...runtime }) => {
    const artifacts =
      config.artifacts.source === "files"
        ? directoryArtifacts(config.artifacts.dir)
        : objectStoreArtifacts(bus);
    const metrics = evaluatorMetrics(registry);
    await runtime.listen([createEvaluatorService({ artifacts, metrics })]);
    const worker = await runtime.startWorker(config.jobs.enabled, () =>
      startEvaluationWorker({
        bus,
        artifacts,
        queue: config.jobs.queue,
        jobsBucket: config.jobs.jobsBucket,
        resultsBucket: config.jobs.resultsBucket,
        concurrency: config.jobs.concurrency,
        logger,
        metrics,
      }),
    );
    runtime.describe({ jobs: config.jobs.enabled ? config.jobs.queue : false });
    return { worker };
  },
);

export type RunningEvaluator = Awaited<ReturnType<typeof startEvaluator>>;
