/**
 * Everything the ranker process runs, wired from its config on the service runtime (@ferret/service: bus,
 * gRPC server, /metrics, ordered stop): the model sessions, the gRPC Ranker and the scoring job worker.
 * `stop()` stops taking calls and jobs first (in-flight ones get the shutdown timeout), then closes the model
 * sessions, the bus and the metrics endpoint.
 */
import { modelLoadOptions } from "@ferret/inference";
import { serviceStart } from "@ferret/service";
import type { RankerConfig } from "../config.js";
import { startScoreWorker } from "../jobs/score-worker.js";
import type { ScoreJobNames } from "../jobs/score-job-record.js";
import { ModelCatalog } from "../rerank/model-catalog.js";
import { createRankerService } from "./ranker-service.js";
import { rankerMetrics } from "./service-metrics.js";

export const startRanker = serviceStart(
  "ranker",
  async (config: RankerConfig, { bus, registry, logger, ...runtime }) => {
    const models = new ModelCatalog({
      root: config.models.dir,
      ...(config.models.default === undefined ? {} : { defaultModel: config.models.default }),
      load: modelLoadOptions(config.models),
    });
    runtime.onClose(() => models.close());
    const metrics = rankerMetrics(registry);
    const { queue, jobsBucket, batchesBucket, resultsBucket } = config.jobs;
    const jobNames: ScoreJobNames = { queue, jobsBucket, batchesBucket, resultsBucket };
    await runtime.listen([
      createRankerService({
        models,
        bus,
        jobNames,
        metrics,
        ...(config.corpora.dir === undefined ? {} : { corporaRoot: config.corpora.dir }),
      }),
    ]);
    const worker = await runtime.startWorker(config.jobs.enabled, () =>
      startScoreWorker({
        bus,
        scorers: (model, quantized) => models.scorer(model, quantized),
        names: jobNames,
        queueOptions: { ackWaitMs: config.jobs.ackWaitMs, maxDeliveries: config.jobs.maxDeliveries },
        concurrency: config.jobs.concurrency,
        logger,
        metrics,
      }),
    );
    runtime.describe({ models: config.models.dir });
    return { models, worker };
  },
);

export type RunningRanker = Awaited<ReturnType<typeof startRanker>>;
