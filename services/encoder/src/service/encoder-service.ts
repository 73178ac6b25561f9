/**
 * The ferret.v1.Encoder gRPC service (proto/ferret/v1/encoder.proto). Embed and Search run on the serving
 * model under a lease (serving/model-server.ts), so a LoadModel swap never fails a request in flight;
 * IndexCorpus runs a sharded indexing job on the bus (sharding/index-corpus-job.ts) and streams its
 * progress; ListModels lists the models root. BEIR directories and BM25 index files are resolved under
 * configured roots and may not leave them.
 */
import { isAbsolute, join, normalize, sep } from "node:path";
import type { Bus, QueueOptions } from "@ferret/bus";
import { readBeirCorpus, type DocumentRecord } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import type { BiEncoder, ModelVariant } from "@ferret/inference";
import { defineService, type ServiceImplementation, type ServiceRegistration } from "@ferret/grpc";
import { EncoderService, JobState, type EmbedRequest } from "@ferret/proto";
import { EmbeddedBm25, type LexicalBackend } from "@ferret/retrieval";
import type { IndexKind } from "../index/create-index.js";
import { listModels, type BiEncoderCache } from "../model-registry.js";
import { retrieve } from "../search/retrieve.js";
import { indexDir, checkIndexName } from "../serving/index-layout.js";
import type { ModelServer } from "../serving/model-server.js";
import { runIndexCorpusJob } from "../sharding/index-corpus-job.js";
import type { ShardJobNames } from "../sharding/shard-job.js";
import { indexInfoOf, indexKindOf, roleOf, runToMessage } from "./proto-convert.js";

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
}

function underRoot(root: string | undefined, relative: string, field: string): string {
  if (root === undefined)
    throw new InputError({ file: "<request>", field }, "this encoder has no root for it");
  const clean = normalize(relative);
  if (relative === "" || isAbsolute(clean) || clean === ".." || clean.startsWith(`..${sep}`)) {
    throw new InputError({ file: "<request>", field }, `"${relative}" is not a path under the root`);
  }
  return join(root, clean);
}

export function encoderHandlers(
  options: EncoderServiceOptions,
): ServiceImplementation<typeof EncoderService> {
  const { server } = options;
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

  async function embedWith(request: EmbedRequest) {
    const named = request.model?.name ?? "";
    const role = roleOf(request.role);
    const embedOn = async (encoder: BiEncoder, name: string) => {
      const matrix = await encoder.embedMatrix(request.texts, role);
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
    embed: (request) => embedWith(request),

    async *indexCorpus(request, { signal }) {
      const name = checkIndexName(request.index);
      let documents: Iterable<DocumentRecord> | AsyncIterable<DocumentRecord>;
      if (request.documents.length > 0) {
        documents = request.documents.map((d) => ({ id: d.id, title: d.title, text: d.text }));
      } else {
        documents = readBeirCorpus(
          join(underRoot(options.corporaRoot, request.beirDir, "beir_dir"), "corpus.jsonl"),
        );
      }
      const kind: IndexKind = indexKindOf(request.kind);
      // the model is fixed when the job starts; a swap during the job does not change what it builds
      const named = request.model?.name ?? "";
      const variant: ModelVariant = request.quantized ? "quantized" : "fp32";
      const model =
        named === ""
          ? await server.use(async (s) => ({
              name: s.name,
              variant: s.variant,
              fingerprint: s.fingerprint,
              dimension: s.encoder.dimension,
            }))
          : await options.models.get(named, variant).then(async (e) => ({
              name: named,
              variant,
              fingerprint: await e.fingerprint(),
              dimension: e.dimension,
            }));
      const jobId = request.jobId !== "" ? request.jobId : `${name}-${model.fingerprint.slice(0, 16)}`;
      const outDir = indexDir(server.options.indexesRoot, name, model.fingerprint);
      const job = { jobId, kind: "encoder.index" };
      for await (const p of runIndexCorpusJob({
        bus: options.bus,
        jobId,
        documents,
        model,
        outDir,
        ...(request.shardSize === 0 ? {} : { shardSize: request.shardSize }),
        kind,
        collection: request.beirDir || name,
        ...(options.shardNames ? { names: options.shardNames } : {}),
        ...(options.queueOptions ? { queueOptions: options.queueOptions } : {}),
        signal,
      })) {
        const state =
          p.state === "queued"
            ? JobState.JOB_STATE_QUEUED
            : p.state === "running"
              ? JobState.JOB_STATE_RUNNING
              : JobState.JOB_STATE_SUCCEEDED;
        if (p.manifest !== undefined) await server.addIndex(name, model.fingerprint);
        const now = new Date();
        yield {
          status: {
            job,
            state,
            progress: {
              done: p.documentsDone,
              total: p.documents,
              unit: "documents",
              message: `${p.shardsDone}/${p.shards} shards`,
              updatedAt: now,
            },
            errorCode: "",
            errorMessage: "",
            createdAt: undefined,
            updatedAt: now,
            outputs: [],
          },
          index: p.manifest === undefined ? undefined : indexInfoOf(name, p.manifest),
          shards: p.shards,
          shardsDone: p.shardsDone,
        };
      }
    },

    async search(request) {
      if (request.queries.length === 0) {
        throw new InputError({ file: "<request>", field: "queries" }, "no queries");
      }
      const k = request.k === 0 ? 1000 : request.k;
      const hybrid = request.hybrid;
      const lexicalIndex = hybrid === undefined ? undefined : await bm25(hybrid.bm25Index);
      return server.use(async (s) => {
        const served = s.index(request.index);
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
        const name = request.name !== "" ? request.name : `${request.index}+${s.name}`;
        return { run: runToMessage(run, name), model: s.name, modelFingerprint: s.fingerprint };
      });
    },

    async listModels() {
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
    },

    async loadModel(request) {
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
    },
  };
}

export function createEncoderService(options: EncoderServiceOptions): ServiceRegistration {
  return defineService(EncoderService, encoderHandlers(options));
}
