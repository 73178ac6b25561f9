/**
 * Wires one annotator replica on the service runtime (@ferret/service: bus, gRPC server, /metrics, ordered
 * stop): the LLM backend, the gRPC Annotator (with an Encoder client for dense candidate pools when an encoder
 * address is configured) and (unless disabled) a batch worker. `stop()` stops the worker and the server, then
 * closes the corpus cache, the encoder client, the backend, the bus and the metrics endpoint (last: metrics
 * outlive the rest for scrapes).
 */
import { createClient } from "@ferret/grpc";
import { EncoderService } from "@ferret/proto";
import { serviceStart } from "@ferret/service";
import { Annotator } from "./annotator.js";
import type { AnnotatorConfig } from "./config.js";
import { openAnnotationStore } from "./jobs/annotation-store.js";
import { startAnnotationWorker } from "./jobs/annotation-worker.js";
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

export const startAnnotator = serviceStart(
  "annotator",
  async (config: AnnotatorConfig, { bus, registry, logger, ...runtime }) => {
    const metrics = annotatorMetrics(registry);
    const store = await openAnnotationStore(bus, { prefix: config.prefix });
    const backend = await openBackend(config.llm);
    runtime.onClose(() => backend.close());
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
      ? createClient(EncoderService, config.encoder.address, {
          deadlineMs: 120_000,
          tls: { ...config.encoder.tls, source: "encoder.tls" },
        })
      : undefined;
    if (encoder) runtime.onClose(() => encoder.close());
    const corpusCache =
      config.corpora.cacheSize > 0 ? new CorpusIndexCache(config.corpora.cacheSize) : undefined;
    if (corpusCache) runtime.onClose(() => corpusCache.close());
    const server = await runtime.listen([
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
    ]);
    await runtime.startWorker(config.worker.enabled, () =>
      startAnnotationWorker(store, annotator, {
        batchConcurrency: config.worker.batchConcurrency,
        itemConcurrency: config.worker.itemConcurrency,
        logger,
        metrics,
      }),
    );
    return { server };
  },
);

export type RunningAnnotator = Awaited<ReturnType<typeof startAnnotator>>;
