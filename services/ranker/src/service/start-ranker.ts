/**
 * Everything the ranker process runs, wired from its config: the bus (NATS, or in-process without a URL),
 * the gRPC Ranker, the Prometheus /metrics endpoint and the scoring job worker. `stop()` stops taking calls
 * and jobs first (in-flight ones get the shutdown timeout), then closes the bus and the model sessions, then
 * the metrics endpoint.
 */
import { createBus, type Bus, type QueueOptions } from "@ferret/bus";
import { startGrpcServer, type GrpcServer } from "@ferret/grpc";
import { silentLogger, type Logger } from "@ferret/logging";
import { createRegistry, startMetricsServer, type Registry } from "@ferret/metrics";
import type { RankerConfig } from "../config.js";
import { startScoreWorker, type ScoreWorker } from "../jobs/score-worker.js";
import type { ScoreJobNames } from "../jobs/score-job-record.js";
import { ModelCatalog } from "../rerank/model-catalog.js";
import { createRankerService } from "./ranker-service.js";
import { rankerMetrics } from "./service-metrics.js";

export interface RunningRanker {
  readonly bus: Bus;
  readonly grpc: GrpcServer;
  readonly models: ModelCatalog;
  /** Undefined when jobs.enabled is false. */
  readonly worker: ScoreWorker | undefined;
  /** Undefined when metrics.enabled is false. */
  readonly metricsPort: number | undefined;
  readonly registry: Registry;
  /** Idempotent. */
  stop(): Promise<void>;
}

export async function startRanker(
  config: RankerConfig,
  options: { logger?: Logger } = {},
): Promise<RunningRanker> {
  const logger = options.logger ?? silentLogger();
  const graceMs = config.grpc.shutdownTimeoutMs;
  const models = new ModelCatalog({
    root: config.models.dir,
    ...(config.models.default === undefined ? {} : { defaultModel: config.models.default }),
    load: {
      intraOpNumThreads: config.models.threads,
      maxBatchSize: config.models.maxBatchSize,
      maxBatchTokens: config.models.maxBatchTokens,
    },
  });
  const cleanups: (() => Promise<void>)[] = [() => models.close()];
  const registry = createRegistry();
  const metrics = rankerMetrics(registry);
  try {
    let metricsPort: number | undefined;
    if (config.metrics.enabled) {
      const metricsServer = await startMetricsServer(registry, {
        host: config.metrics.host,
        port: config.metrics.port,
      });
      metricsPort = metricsServer.port;
      cleanups.push(() => metricsServer.close()); // last: metrics outlive the rest for scrapes
    }
    const bus =
      config.nats.url === undefined
        ? await createBus({ kind: "memory", dir: config.artifacts.dir, logger })
        : await createBus({ kind: "nats", url: config.nats.url, name: "ranker", logger });
    cleanups.unshift(() => bus.close({ graceMs }));
    const jobNames: ScoreJobNames = {
      queue: config.jobs.queue,
      jobsBucket: config.jobs.jobsBucket,
      batchesBucket: config.jobs.batchesBucket,
      resultsBucket: config.jobs.resultsBucket,
    };
    const queueOptions: QueueOptions = {
      ackWaitMs: config.jobs.ackWaitMs,
      maxDeliveries: config.jobs.maxDeliveries,
    };
    const grpc = await startGrpcServer({
      services: [
        createRankerService({
          models,
          bus,
          jobNames,
          metrics,
          ...(config.corpora.dir === undefined ? {} : { corporaRoot: config.corpora.dir }),
        }),
      ],
      host: config.grpc.host,
      port: config.grpc.port,
      logger,
      shutdownTimeoutMs: graceMs,
      serverOptions: {
        "grpc.max_receive_message_length": config.grpc.maxMessageBytes,
        "grpc.max_send_message_length": config.grpc.maxMessageBytes,
      },
    });
    let worker: ScoreWorker | undefined;
    if (config.jobs.enabled) {
      worker = await startScoreWorker({
        bus,
        scorers: (model, quantized) => models.scorer(model, quantized),
        names: jobNames,
        queueOptions,
        concurrency: config.jobs.concurrency,
        logger,
        metrics,
      });
    }
    logger.info(
      { grpcPort: grpc.port, metricsPort, bus: bus.kind, models: config.models.dir },
      "ranker started",
    );
    let stopped: Promise<void> | undefined;
    const running = worker;
    return {
      bus,
      grpc,
      models,
      worker,
      metricsPort,
      registry,
      stop() {
        stopped ??= (async () => {
          await Promise.all([grpc.shutdown(), running?.stop({ graceMs })]);
          for (const cleanup of cleanups) await cleanup();
        })();
        return stopped;
      },
    };
  } catch (err) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw err;
  }
}
