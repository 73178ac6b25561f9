/**
 * Wires one annotator replica: the Prometheus /metrics endpoint, the bus (NATS or in-process), the LLM
 * backend, the gRPC Annotator (with an Encoder client for dense candidate pools when an encoder address is
 * configured) and (unless disabled) a batch worker. `stop()` stops the worker, the server, the bus and the
 * backend, in that order, then the metrics endpoint (last: metrics outlive the rest for scrapes).
 */
import { createBus } from "@ferret/bus";
import { createClient, startGrpcServer, type GrpcServer } from "@ferret/grpc";
import { type Logger, silentLogger } from "@ferret/logging";
import { createRegistry, startMetricsServer, type Registry } from "@ferret/metrics";
import { EncoderService } from "@ferret/proto";
import { Annotator } from "./annotator.js";
import type { AnnotatorConfig } from "./config.js";
import { startAnnotationWorker } from "./jobs/annotation-worker.js";
import { openJobStore } from "./jobs/job-store.js";
import { CallLimiter } from "./llm/limiter.js";
import { LlamaCppBackend } from "./llm/llama-cpp-backend.js";
import { OpenAiBackend } from "./llm/openai-backend.js";
import type { LlmBackend } from "./llm/types.js";
import { annotatorService } from "./service/annotator-service.js";
import { CorpusIndexCache } from "./service/corpus-index-cache.js";
import { annotatorMetrics } from "./service/service-metrics.js";

export async function openBackend(llm: AnnotatorConfig["llm"]): Promise<LlmBackend> {
  if (llm.ggufPath) return LlamaCppBackend.open({ modelPath: llm.ggufPath, threads: llm.threads });
  return new OpenAiBackend({
    baseUrl: llm.baseUrl!,
    model: llm.model!,
    ...(llm.apiKey ? { apiKey: llm.apiKey } : {}),
    timeoutMs: llm.timeoutMs,
    structuredOutput: llm.structuredOutput,
  });
}

export interface RunningAnnotator {
  server: GrpcServer;
  /** Undefined when metrics.enabled is false. */
  readonly metricsPort: number | undefined;
  readonly registry: Registry;
  stop(): Promise<void>;
}

export async function startAnnotator(
  config: AnnotatorConfig,
  options: { logger?: Logger } = {},
): Promise<RunningAnnotator> {
  const logger = options.logger ?? silentLogger();
  const registry = createRegistry();
  const metrics = annotatorMetrics(registry);
  // What is open so far, closed in reverse order when a later step of the start-up fails (a port in use,
  // an unreachable NATS, a bad GGUF path), so a failed start leaves no connection or listener behind.
  const opened: (() => Promise<void> | void)[] = [];
  const closeOpened = async (): Promise<void> => {
    for (const close of opened.reverse()) await Promise.resolve(close()).catch(() => undefined);
  };
  try {
    const metricsServer = config.metrics.enabled
      ? await startMetricsServer(registry, { host: config.metrics.host, port: config.metrics.port })
      : undefined;
    if (metricsServer) opened.push(() => metricsServer.close());
    const bus = config.nats.url
      ? await createBus({ kind: "nats", url: config.nats.url, name: "annotator", logger })
      : await createBus({ kind: "memory", dir: config.artifacts.dir });
    opened.push(() => bus.close());
    const store = await openJobStore(bus, { prefix: config.prefix });
    const backend = await openBackend(config.llm);
    opened.push(() => backend.close());
    const annotator = new Annotator({
      backend,
      cache: store.cache,
      limiter: new CallLimiter({
        concurrency: config.llm.concurrency,
        ...(config.llm.ratePerSecond > 0 ? { ratePerSecond: config.llm.ratePerSecond } : {}),
      }),
      retry: { maxAttempts: config.llm.maxAttempts },
      metrics,
    });
    const encoder = config.encoder.address
      ? createClient(EncoderService, config.encoder.address, { deadlineMs: 120_000 })
      : undefined;
    if (encoder) opened.push(() => encoder.close());
    const corpusCache =
      config.corpora.cacheSize > 0 ? new CorpusIndexCache(config.corpora.cacheSize) : undefined;
    if (corpusCache) opened.push(() => corpusCache.close());
    const server = await startGrpcServer({
      services: [
        annotatorService({
          store,
          annotator,
          pools: {
            ...(config.corpora.dir ? { corporaRoot: config.corpora.dir } : {}),
            ...(encoder ? { encoder } : {}),
            ...(config.encoder.index ? { defaultDenseIndex: config.encoder.index } : {}),
            ...(config.opensearch.url ? { opensearchNode: config.opensearch.url } : {}),
            ...(corpusCache ? { corpusCache } : {}),
          },
          metrics,
        }),
      ],
      host: config.grpc.host,
      port: config.grpc.port,
      logger,
    });
    // The worker starts last: nothing after it can fail, so a failed start never leaves it pulling jobs.
    const worker = config.worker.enabled
      ? startAnnotationWorker(store, annotator, {
          batchConcurrency: config.worker.batchConcurrency,
          itemConcurrency: config.worker.itemConcurrency,
          logger,
          metrics,
        })
      : undefined;
    const metricsPort = metricsServer?.port;
    logger.info({ grpcPort: server.port, metricsPort, bus: bus.kind }, "annotator started");
    return {
      server,
      metricsPort,
      registry,
      async stop() {
        await worker?.stop();
        await server.shutdown();
        encoder?.close();
        await bus.close();
        await backend.close();
        await corpusCache?.close();
        await metricsServer?.close();
      },
    };
  } catch (err) {
    await closeOpened();
    throw err;
  }
}
