/**
 * Everything the encoder process runs, wired from its config on the service runtime (@ferret/service: bus,
 * gRPC server, /metrics, ordered stop): the serving model (ModelServer), the gRPC Encoder, the shard worker
 * (which also assembles finished jobs) and, optionally, a live subscription to "model.published" that
 * hot-swaps each replica to a newly published model: fetched from the artifact store when the event names
 * its bundle, its served indexes built again first (service/follow-published.ts). `stop()` stops taking calls, shards and events first
 * (in-flight ones get the shutdown timeout), then closes the models, the bus and the metrics endpoint.
 */
import { join } from "node:path";
import { modelLoadOptions, type BiEncoder, type ModelVariant } from "@ferret/inference";
import { serviceStart } from "@ferret/service";
import { IndexArtifactCache } from "../artifacts/index-cache.js";
import type { EncoderConfig } from "../config.js";
import { BiEncoderCache } from "../model-registry.js";
import { ModelServer } from "../serving/model-server.js";
import type { ShardJobNames, ShardMessage } from "../sharding/shard-job.js";
import { startShardWorker } from "../sharding/shard-worker.js";
import { ModelPublished } from "@ferret/proto";
import { createCorpusIndexer } from "./corpus-indexer.js";
import { createEncoderService } from "./encoder-service.js";
import { loadPublishedModel } from "./follow-published.js";
import { encoderMetrics } from "./service-metrics.js";

export const MODEL_PUBLISHED_EVENT = "model.published";

export const startEncoder = serviceStart(
  "encoder",
  async (config: EncoderConfig, { bus, registry, logger, ...runtime }) => {
    const load = modelLoadOptions(config.models);
    const variant: ModelVariant = config.models.quantized ? "quantized" : "fp32";
    const server = new ModelServer({
      modelsRoot: config.models.dir,
      indexesRoot: config.indexes.dir,
      load,
      hnsw: config.hnsw,
    });
    runtime.onClose(() => server.close());
    const cache = new BiEncoderCache(config.models.dir, load);
    runtime.onClose(() => cache.close());
    const metrics = encoderMetrics(registry);
    if (config.models.serve !== undefined) {
      await server.load(config.models.serve, variant, config.models.indexes);
    }
    const { queue, recordsBucket, objectsBucket, jobsBucket, indexesBucket } = config.shards;
    const shardNames: ShardJobNames = { queue, recordsBucket, objectsBucket, jobsBucket, indexesBucket };
    const queueOptions = { ackWaitMs: config.shards.ackWaitMs, maxDeliveries: config.shards.maxDeliveries };
    const indexerOptions = {
      server,
      models: cache,
      bus,
      shardNames,
      queueOptions,
      metrics,
      ...(config.corpora.dir === undefined ? {} : { corporaRoot: config.corpora.dir }),
    };
    await runtime.listen([
      createEncoderService({
        ...indexerOptions,
        indexCache: new IndexArtifactCache(config.indexes.cacheDir, bus),
        ...(config.lexical.dir === undefined ? {} : { lexicalRoot: config.lexical.dir }),
      }),
    ]);
    // a shard is encoded by the serving model when it is the one asked for, else by the named model
    const encoders = async (m: ShardMessage): Promise<BiEncoder> => {
      const serving = server.serving;
      if (serving !== undefined && serving.fingerprint === m.fingerprint) return serving.encoder;
      return cache.get(m.model, m.variant);
    };
    const worker = await runtime.startWorker(config.shards.enabled, () =>
      startShardWorker({
        bus,
        encoders,
        names: shardNames,
        queueOptions,
        logger,
        metrics,
        // index names are [A-Za-z0-9_-], so this scratch directory never collides with an index
        workDir: join(config.indexes.dir, ".assembly"),
      }),
    );
    if (config.models.followPublished) {
      const stopping = new AbortController();
      const follow = {
        bus,
        server,
        models: cache,
        indexer: createCorpusIndexer(indexerOptions),
        variant,
        logger,
        signal: stopping.signal,
      };
      // one published model at a time: each builds its indexes, then swaps
      let queue: Promise<void> = Promise.resolve();
      const published = await bus.events.subscribe(MODEL_PUBLISHED_EVENT, (e) => {
        const event = ModelPublished.fromJSON(e.data);
        const next = queue.then(async () => {
          try {
            const loaded = await loadPublishedModel(event, follow);
            if (loaded === undefined) return;
            logger.info(
              {
                model: loaded.swap.serving.name,
                fingerprint: loaded.swap.serving.fingerprint,
                downloaded: loaded.downloaded,
                reindexed: loaded.reindexed,
              },
              "swapped to a published model",
            );
          } catch (err) {
            logger.warn(
              { err, model: event.model?.name },
              "could not swap to a published model; keeping the current one",
            );
          }
        });
        queue = next;
        return next;
      });
      runtime.stopFirst(async () => {
        stopping.abort();
        await published.stop();
        await queue;
      });
    }
    runtime.describe({ serving: server.serving?.name });
    return { server, worker };
  },
);

export type RunningEncoder = Awaited<ReturnType<typeof startEncoder>>;
