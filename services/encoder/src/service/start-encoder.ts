/**
 * Everything the encoder process runs, wired from its config: the bus (NATS, or in-process without a URL),
 * the serving model (ModelServer), the gRPC Encoder, the Prometheus /metrics endpoint, the shard worker
 * (which also assembles finished jobs) and, optionally, a live subscription to "model.published" that
 * hot-swaps each replica to a newly published model. `stop()` stops taking calls and shards first
 * (in-flight ones get the shutdown timeout), then closes the bus and the models, then the metrics endpoint.
 */
import { join } from "node:path";
import { createBus, type Bus, type Subscription } from "@ferret/bus";
import { startGrpcServer, type GrpcServer } from "@ferret/grpc";
import type { BiEncoder, EncoderLoadOptions } from "@ferret/inference";
import { silentLogger, type Logger } from "@ferret/logging";
import { createRegistry, startMetricsServer, type Registry } from "@ferret/metrics";
import { IndexArtifactCache } from "../artifacts/index-cache.js";
import type { EncoderConfig } from "../config.js";
import { BiEncoderCache } from "../model-registry.js";
import { ModelServer } from "../serving/model-server.js";
import type { ShardJobNames, ShardMessage } from "../sharding/shard-job.js";
import { startShardWorker, type ShardWorker } from "../sharding/shard-worker.js";
import { createEncoderService } from "./encoder-service.js";
import { encoderMetrics } from "./service-metrics.js";

export const MODEL_PUBLISHED_EVENT = "model.published";

export interface RunningEncoder {
  readonly bus: Bus;
  readonly grpc: GrpcServer;
  readonly server: ModelServer;
  readonly worker: ShardWorker | undefined;
  /** Undefined when metrics.enabled is false. */
  readonly metricsPort: number | undefined;
  readonly registry: Registry;
  /** Idempotent. */
  stop(): Promise<void>;
}

export async function startEncoder(
  config: EncoderConfig,
  options: { logger?: Logger } = {},
): Promise<RunningEncoder> {
  const logger = options.logger ?? silentLogger();
  const graceMs = config.grpc.shutdownTimeoutMs;
  const load: Omit<EncoderLoadOptions, "variant"> = {
    intraOpNumThreads: config.models.threads,
    maxBatchSize: config.models.maxBatchSize,
    maxBatchTokens: config.models.maxBatchTokens,
  };
  const server = new ModelServer({
    modelsRoot: config.models.dir,
    indexesRoot: config.indexes.dir,
    load,
    hnsw: config.hnsw,
  });
  const cache = new BiEncoderCache(config.models.dir, load);
  const cleanups: (() => Promise<void>)[] = [() => server.close(), () => cache.close()];
  const registry = createRegistry();
  const metrics = encoderMetrics(registry);
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
        : await createBus({
            kind: "nats",
            url: config.nats.url,
            name: "encoder",
            logger,
            events: {
              ...(config.nats.eventsStream === undefined ? {} : { stream: config.nats.eventsStream }),
              ...(config.nats.eventsPrefix === undefined ? {} : { prefix: config.nats.eventsPrefix }),
            },
          });
    cleanups.unshift(() => bus.close({ graceMs }));
    if (config.models.serve !== undefined) {
      await server.load(
        config.models.serve,
        config.models.quantized ? "quantized" : "fp32",
        config.models.indexes,
      );
    }
    const shardNames: ShardJobNames = {
      queue: config.shards.queue,
      recordsBucket: config.shards.recordsBucket,
      objectsBucket: config.shards.objectsBucket,
      jobsBucket: config.shards.jobsBucket,
      indexesBucket: config.shards.indexesBucket,
    };
    const queueOptions = { ackWaitMs: config.shards.ackWaitMs, maxDeliveries: config.shards.maxDeliveries };
    const grpc = await startGrpcServer({
      services: [
        createEncoderService({
          server,
          models: cache,
          bus,
          shardNames,
          queueOptions,
          metrics,
          indexCache: new IndexArtifactCache(config.indexes.cacheDir, bus),
          ...(config.corpora.dir === undefined ? {} : { corporaRoot: config.corpora.dir }),
          ...(config.lexical.dir === undefined ? {} : { lexicalRoot: config.lexical.dir }),
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
    // a shard is encoded by the serving model when it is the one asked for, else by the named model
    const encoders = async (m: ShardMessage): Promise<BiEncoder> => {
      const serving = server.serving;
      if (serving !== undefined && serving.fingerprint === m.fingerprint) return serving.encoder;
      return cache.get(m.model, m.variant);
    };
    const worker = config.shards.enabled
      ? await startShardWorker({
          bus,
          encoders,
          names: shardNames,
          queueOptions,
          logger,
          metrics,
          // index names are [A-Za-z0-9_-], so this scratch directory never collides with an index
          workDir: join(config.indexes.dir, ".assembly"),
        })
      : undefined;
    let published: Subscription | undefined;
    if (config.models.followPublished) {
      published = await bus.events.subscribe<{ model?: { name?: string } }>(
        MODEL_PUBLISHED_EVENT,
        async (e) => {
          const name = e.data.model?.name;
          if (name === undefined || name === "") return;
          try {
            const { serving } = await server.load(name, config.models.quantized ? "quantized" : "fp32");
            logger.info(
              { model: serving.name, fingerprint: serving.fingerprint },
              "swapped to a published model",
            );
          } catch (err) {
            logger.warn({ err, model: name }, "could not swap to a published model; keeping the current one");
          }
        },
      );
    }
    logger.info(
      { grpcPort: grpc.port, metricsPort, bus: bus.kind, serving: server.serving?.name },
      "encoder started",
    );
    let stopped: Promise<void> | undefined;
    return {
      bus,
      grpc,
      server,
      worker,
      metricsPort,
      registry,
      stop() {
        stopped ??= (async () => {
          logger.info("encoder stopping");
          await Promise.all([grpc.shutdown(), worker?.stop({ graceMs }), published?.stop()]);
          for (const cleanup of cleanups) await cleanup();
          logger.info("encoder stopped");
        })();
        return stopped;
      },
    };
  } catch (err) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw err;
  }
}
