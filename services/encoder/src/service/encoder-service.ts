/**
 * The ferret.v1.Encoder gRPC service (proto/ferret/v1/encoder.proto). Embed and Search run on the serving
 * model under a lease (serving/model-server.ts), so a LoadModel swap never fails a request in flight;
 * IndexCorpus runs a sharded indexing job (service/corpus-indexer.ts) and streams its progress; Search
 * opens a served index or a published one (by ArtifactRef, through the index cache); ListModels lists the
 * models root. BEIR directories and BM25 index files are resolved under configured roots and may not leave
 * them. Every RPC is timed and counted (service-metrics.ts).
 */
import type { Bus, QueueOptions } from "@ferret/bus";
import { CancelledError, InputError, UnavailableError, isFerretError } from "@ferret/errors";
import type { BiEncoder } from "@ferret/inference";
import { defineService, type ServiceImplementation, type ServiceRegistration } from "@ferret/grpc";
import { EncoderService, type ArtifactRef, type EmbedRequest } from "@ferret/proto";
import { EmbeddedBm25, type LexicalBackend } from "@ferret/retrieval";
import { listModels, type BiEncoderCache } from "../model-registry.js";
import { retrieve } from "../search/retrieve.js";
import { checkIndexName } from "../serving/index-layout.js";
import type { ModelServer } from "../serving/model-server.js";
import type { IndexArtifactCache } from "../artifacts/index-cache.js";
import { ServedIndex } from "../serving/served-index.js";
import type { ShardJobNames } from "../sharding/shard-job.js";
import { createCorpusIndexer, underRoot } from "./corpus-indexer.js";
import { indexInfoOf, roleOf, runToMessage } from "./proto-convert.js";
import { noMetrics, type EncoderMetrics } from "./service-metrics.js";

export interface EncoderServiceOptions {
  server: ModelServer;
  /** Named models other than the serving one (Embed with a model name). */
  models: BiEncoderCache;
  /** Root of BEIR directories IndexCorpus may read. */
  corporaRoot?: string;
  /** Root of embedded BM25 index files hybrid Search may open. */
  lexicalRoot?: string;
  /** The bus IndexCorpus publishes shards on (the shard workers of every replica consume them). */
  bus: Bus;
  shardNames?: Partial<ShardJobNames>;
  queueOptions?: QueueOptions;
  /** Where Search downloads published indexes (index_artifact); without it such a search is UNAVAILABLE. */
  indexCache?: IndexArtifactCache;
  metrics?: EncoderMetrics;
}

/** Published indexes opened for search, per bundle and model, most recently used last. */
const OPENED_ARTIFACTS = 8;

export function encoderHandlers(
  options: EncoderServiceOptions,
): ServiceImplementation<typeof EncoderService> {
  const { server } = options;
  const metrics = options.metrics ?? noMetrics;
  const indexer = createCorpusIndexer(options);
  const lexical = new Map<string, Promise<LexicalBackend>>();
  const bm25 = (name: string): Promise<LexicalBackend> => {
    const file = underRoot(options.lexicalRoot, name, "hybrid.bm25_index");
    let p = lexical.get(file);
    if (p === undefined) {
      p = EmbeddedBm25.load(file);
      p.catch(() => lexical.delete(file));
      lexical.set(file, p);
    }
    return p;
  };
  const opened = new Map<string, Promise<ServedIndex>>();
  /** A published index opened with the serving model (downloaded into the cache on first use). */
  const publishedIndex = (ref: ArtifactRef, fingerprint: string): Promise<ServedIndex> => {
    const cache = options.indexCache;
    if (cache === undefined) throw new UnavailableError("this encoder has no index cache for index_artifact");
    const key = `${ref.bucket}/${ref.name}@${ref.sha256}:${fingerprint}`;
    let p = opened.get(key);
    if (p !== undefined) {
      opened.delete(key); // re-inserted below: most recently used last
    } else {
      p = cache.get(ref).then(({ dir }) => ServedIndex.open(ref.name, dir, fingerprint, server.options.hnsw));
      p.catch(() => opened.delete(key));
    }
    opened.set(key, p);
    while (opened.size > OPENED_ARTIFACTS) opened.delete(opened.keys().next().value!);
    return p;
  };

  async function embedWith(request: EmbedRequest) {
    const named = request.model?.name ?? "";
    const role = roleOf(request.role);
    const embedOn = async (encoder: BiEncoder, name: string) => {
      const matrix = await encoder.embedMatrix(request.texts, role);
      metrics.textsEmbedded(role, request.texts.length);
      const dim = encoder.dimension;
      return {
        embeddings: request.texts.map((_, i) => ({
          values: Array.from(matrix.subarray(i * dim, (i + 1) * dim)),
        })),
        dimension: dim,
        model: name,
        fingerprint: await encoder.fingerprint(),
      };
    };
    const serving = server.serving;
    if (
      named === "" ||
      (serving?.name === named && (serving.variant === "quantized") === request.quantized)
    ) {
      return server.use((s) => embedOn(s.encoder, s.name));
    }
    return embedOn(await options.models.get(named, request.quantized ? "quantized" : "fp32"), named);
  }

  return {
    embed: (request) => metrics.timeCall("Embed", () => embedWith(request)),

    async *indexCorpus(request, { signal }) {
      const end = metrics.startCall("IndexCorpus");
      let failure: unknown;
      try {
        failure = yield* indexer.run(request, signal);
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        // a client that goes away mid-stream ends the generator without an error
        failure ??= signal.aborted ? new CancelledError("IndexCorpus call cancelled") : undefined;
        end(failure);
        metrics.indexFinished(
          checkIndexNameOrRaw(request.index),
          failure === undefined ? "OK" : isFerretError(failure) ? failure.code : "INTERNAL",
        );
      }
    },

    search: (request) =>
      metrics.timeCall("Search", async () => {
        if (request.queries.length === 0) {
          throw new InputError({ file: "<request>", field: "queries" }, "no queries");
        }
        const k = request.k === 0 ? 1000 : request.k;
        const hybrid = request.hybrid;
        const lexicalIndex = hybrid === undefined ? undefined : await bm25(hybrid.bm25Index);
        const artifact =
          request.indexArtifact !== undefined && request.indexArtifact.name !== ""
            ? request.indexArtifact
            : undefined;
        return server.use(async (s) => {
          const served =
            artifact === undefined ? s.index(request.index) : await publishedIndex(artifact, s.fingerprint);
          const index = await served.searcher(request.exact);
          const run = await retrieve(
            s.encoder,
            index,
            request.queries.map((q) => ({ id: q.id, text: q.text })),
            {
              k,
              removeQuery: request.removeQuery,
              ...(hybrid === undefined || lexicalIndex === undefined
                ? {}
                : {
                    hybrid: {
                      bm25: lexicalIndex,
                      alpha: hybrid.alpha,
                      normalization: hybrid.normalization,
                      ...(hybrid.depth === 0 ? {} : { depth: hybrid.depth }),
                    },
                  }),
            },
          );
          metrics.textsEmbedded("query", request.queries.length);
          const indexName = request.index !== "" ? request.index : (artifact?.name ?? "");
          const name = request.name !== "" ? request.name : `${indexName}+${s.name}`;
          return { run: runToMessage(run, name), model: s.name, modelFingerprint: s.fingerprint };
        });
      }),

    listModels: () =>
      metrics.timeCall("ListModels", async () => {
        const { models, problems } = await listModels(server.options.modelsRoot);
        const s = server.serving;
        return {
          models: models.map((m) => ({
            name: m.name,
            dimension: m.config.kind === "bi-encoder" ? m.config.dimension : 0,
            pooling: m.config.kind === "bi-encoder" ? m.config.pooling : "",
            maxLength: m.config.maxLength,
            variants: m.variants,
            serving: s?.name === m.name,
          })),
          problems: problems.map((p) => ({ name: p.name, problem: p.problem })),
          serving: s?.name ?? "",
          servingVariant: s?.variant ?? "",
          servingFingerprint: s?.fingerprint ?? "",
          indexes: s === undefined ? [] : [...s.indexes.values()].map((i) => indexInfoOf(i.name, i.manifest)),
        };
      }),

    loadModel: (request) =>
      metrics.timeCall("LoadModel", async () => {
        const name = request.model?.name ?? "";
        const { serving, previous } = await server.load(
          name,
          request.quantized ? "quantized" : "fp32",
          request.indexes.length > 0 ? request.indexes : undefined,
        );
        return {
          model: serving.name,
          variant: serving.variant,
          fingerprint: serving.fingerprint,
          indexes: [...serving.indexes.values()].map((i) => indexInfoOf(i.name, i.manifest)),
          previous: previous?.name ?? "",
        };
      }),
  };
}

/** Metric label of an index name; an invalid name (the call failed on it) is grouped as "invalid". */
function checkIndexNameOrRaw(name: string): string {
  try {
    return checkIndexName(name);
  } catch {
    return "invalid";
  }
}

export function createEncoderService(options: EncoderServiceOptions): ServiceRegistration {
  return defineService(EncoderService, encoderHandlers(options));
}
