/**
 * Everything the evaluator process runs, wired from its config: the bus (NATS, or in-process when no URL
 * is configured), the gRPC server, the Prometheus /metrics endpoint and the evaluation job worker. `stop()`
 * shuts down in the order a rolling update needs: stop taking calls and jobs (in-flight ones get the
 * shutdown timeout to finish), then close the bus, then the metrics endpoint.
 */
import { createBus, type Bus } from "@ferret/bus";
import { startGrpcServer, type GrpcServer } from "@ferret/grpc";
import { silentLogger, type Logger } from "@ferret/logging";
import { createRegistry, startMetricsServer, type MetricsServer, type Registry } from "@ferret/metrics";
import type { EvaluatorConfig } from "../config.js";
import { startEvaluationWorker, type EvaluationWorker } from "./evaluation-worker.js";
import { directoryArtifacts, objectStoreArtifacts } from "./artifacts.js";
import { createEvaluatorService } from "./evaluator-service.js";
import { evaluatorMetrics } from "./service-metrics.js";

export interface RunningEvaluator {
  readonly bus: Bus;
  readonly grpc: GrpcServer;
  /** Undefined when metrics.enabled is false. */
  readonly metricsPort: number | undefined;
  readonly registry: Registry;
  /** Undefined when jobs.enabled is false. */
  readonly worker: EvaluationWorker | undefined;
  /** Idempotent. */
  stop(): Promise<void>;
}

export async function startEvaluator(
  config: EvaluatorConfig,
  options: { logger?: Logger } = {},
): Promise<RunningEvaluator> {
  const logger = options.logger ?? silentLogger();
  const cleanups: (() => Promise<void>)[] = [];
  const graceMs = config.grpc.shutdownTimeoutMs;
  try {
    const bus =
      config.nats.url === undefined
        ? await createBus({ kind: "memory", dir: config.artifacts.dir, logger })
        : await createBus({ kind: "nats", url: config.nats.url, name: "evaluator", logger });
    cleanups.push(() => bus.close({ graceMs }));
    const artifacts =
      config.artifacts.source === "files"
        ? directoryArtifacts(config.artifacts.dir)
        : objectStoreArtifacts(bus);
    const registry = createRegistry();
    const metrics = evaluatorMetrics(registry);

    let metricsServer: MetricsServer | undefined;
    if (config.metrics.enabled) {
      metricsServer = await startMetricsServer(registry, {
        host: config.metrics.host,
        port: config.metrics.port,
      });
      const server = metricsServer;
      cleanups.unshift(() => server.close());
    }
    const maxBytes = config.grpc.maxMessageBytes;
    const grpc = await startGrpcServer({
      services: [createEvaluatorService({ artifacts, metrics })],
      host: config.grpc.host,
      port: config.grpc.port,
      logger,
      shutdownTimeoutMs: graceMs,
      serverOptions: {
        "grpc.max_receive_message_length": maxBytes,
        "grpc.max_send_message_length": maxBytes,
      },
    });
    // Runs first on stop (with the worker): no new calls or jobs, in-flight ones finish.
    let worker: EvaluationWorker | undefined;
    if (config.jobs.enabled) {
      worker = await startEvaluationWorker({
        bus,
        artifacts,
        queue: config.jobs.queue,
        jobsBucket: config.jobs.jobsBucket,
        resultsBucket: config.jobs.resultsBucket,
        concurrency: config.jobs.concurrency,
        logger,
        metrics,
      });
    }
    const running = worker;
    const stopIntake = async () => {
      await Promise.all([grpc.shutdown(), running?.stop({ graceMs })]);
    };
    logger.info(
      {
        grpcPort: grpc.port,
        metricsPort: metricsServer?.port,
        bus: bus.kind,
        jobs: config.jobs.enabled ? config.jobs.queue : false,
      },
      "evaluator started",
    );

    let stopped: Promise<void> | undefined;
    return {
      bus,
      grpc,
      metricsPort: metricsServer?.port,
      registry,
      worker,
      stop() {
        stopped ??= (async () => {
          logger.info("evaluator stopping");
          await stopIntake();
          // Bus before metrics: the bus closes last users of the connection; metrics outlive them for scrapes.
          for (const cleanup of cleanups.reverse()) await cleanup();
          logger.info("evaluator stopped");
        })();
        return stopped;
      },
    };
  } catch (err) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw err;
  }
}
