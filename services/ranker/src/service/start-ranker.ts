/**
 * Everything the ranker process runs, wired from its config: the bus (NATS, or in-process without a URL),
 * the gRPC Ranker and the scoring job worker. `stop()` stops taking calls and jobs first (in-flight ones
 * get the shutdown timeout), then closes the bus and the model sessions.
 */
import { createBus, type Bus, type QueueOptions } from "@ferret/bus";
import { startGrpcServer, type GrpcServer } from "@ferret/grpc";
import { silentLogger, type Logger } from "@ferret/logging";
import type { RankerConfig } from "../config.js";
import { startScoreWorker, type ScoreWorker } from "../jobs/score-worker.js";
import type { ScoreJobNames } from "../jobs/score-job-record.js";
import { ModelCatalog } from "../rerank/model-catalog.js";
import { createRankerService } from "./ranker-service.js";

export interface RunningRanker {
  readonly bus: Bus;
  readonly grpc: GrpcServer;
  readonly models: ModelCatalog;
  /** Undefined when jobs.enabled is false. */
  readonly worker: ScoreWorker | undefined;
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
  try {
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
      });
    }
    logger.info({ grpcPort: grpc.port, bus: bus.kind, models: config.models.dir }, "ranker started");
    let stopped: Promise<void> | undefined;
    const running = worker;
    return {
      bus,
      grpc,
      models,
      worker,
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
