/**
 * IndexCorpus's work, shared by the gRPC handler and the re-indexing of a newly published model: a
 * sharded indexing job on the bus (sharding/index-corpus-job.ts) over a BEIR directory, inline documents
 * or a corpus artifact, reported as IndexCorpusUpdates and ending with the published index (or a FAILED
 * update carrying the job's error). When an index is built, what it was built from (the request's corpus,
 * kind and shard size) is kept beside its builds as `source.json`, so a replica can build it again with
 * another model (service/follow-published.ts).
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Bus, QueueOptions } from "@ferret/bus";
import { readBeirCorpus, writeDataAtomically, type DocumentRecord } from "@ferret/datasets";
import { InputError, NotFoundError } from "@ferret/errors";
import type { ModelVariant } from "@ferret/inference";
import { JobState, type IndexCorpusRequest, type IndexCorpusUpdate } from "@ferret/proto";
import { pathUnderRoot } from "@ferret/service";
import type { IndexKind } from "../vector-index/create-index.js";
import type { BiEncoderCache } from "../model-registry.js";
import { checkIndexName, indexDir } from "../serving/index-layout.js";
import type { ModelServer } from "../serving/model-server.js";
import { openCorpusArtifact } from "../artifacts/corpus-artifact.js";
import {
  IndexJobFailedError,
  runIndexCorpusJob,
  type IndexCorpusProgress,
} from "../sharding/index-corpus-job.js";
import type { ShardJobNames } from "../sharding/shard-job.js";
import { indexInfoOf, indexKindOf } from "./proto-convert.js";
import { noMetrics, type EncoderMetrics } from "./service-metrics.js";

/** Beside an index's builds (`<indexes root>/<index>/`): the corpus part of the request that built it. */
export const INDEX_SOURCE_FILE = "source.json";

export type IndexSource = Pick<IndexCorpusRequest, "beirDir" | "documents" | "corpus" | "kind" | "shardSize">;

export interface CorpusIndexerOptions {
  server: ModelServer;
  /** Named models other than the serving one. */
  models: BiEncoderCache;
  /** Root of BEIR directories IndexCorpus may read. */
  corporaRoot?: string;
  bus: Bus;
  shardNames?: Partial<ShardJobNames>;
  queueOptions?: QueueOptions;
  metrics?: EncoderMetrics;
}

export interface CorpusIndexer {
  /** The job's updates; a job that fails ends the stream with a FAILED update and returns its error. */
  run(
    request: IndexCorpusRequest,
    signal: AbortSignal,
  ): AsyncGenerator<IndexCorpusUpdate, IndexJobFailedError | undefined>;
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

export function underRoot(root: string | undefined, relative: string, field: string): string {
  if (root === undefined)
    throw new InputError({ file: "<request>", field }, "this encoder has no root for it");
  const path = pathUnderRoot(root, relative);
  if (path === undefined) {
    throw new InputError({ file: "<request>", field }, `"${relative}" is not a path under the root`);
  }
  return path;
}

/** What index `name` was last built from, if this replica built it through IndexCorpus. */
export async function readIndexSource(indexesRoot: string, name: string): Promise<IndexSource | undefined> {
  try {
    return JSON.parse(
      await readFile(join(indexesRoot, checkIndexName(name), INDEX_SOURCE_FILE), "utf8"),
    ) as IndexSource;
  } catch {
    return undefined;
  }
}

export function createCorpusIndexer(options: CorpusIndexerOptions): CorpusIndexer {
  const { server } = options;
  const metrics = options.metrics ?? noMetrics;

  /** The documents of a request, how errors name them, and a digest of the corpus (for the default job id). */
  async function corpusOf(request: IndexCorpusRequest): Promise<{
    documents: Iterable<DocumentRecord> | AsyncIterable<DocumentRecord>;
    source: string;
    digest: string;
    collection: string;
  }> {
    if (request.corpus !== undefined && (request.corpus.name !== "" || request.corpus.bucket !== "")) {
      const artifact = await openCorpusArtifact(options.bus, request.corpus);
      return {
        documents: artifact.documents,
        source: artifact.label,
        digest: artifact.sha256,
        collection: request.corpus.name,
      };
    }
    if (request.documents.length > 0) {
      const documents = request.documents.map((d) => ({ id: d.id, title: d.title, text: d.text }));
      return {
        documents,
        source: "<request documents>",
        digest: sha256(JSON.stringify(documents)),
        collection: request.index,
      };
    }
    const file = join(underRoot(options.corporaRoot, request.beirDir, "beir_dir"), "corpus.jsonl");
    // a changed file (size or modification time) is another corpus, hence another default job
    const info = await stat(file).catch((err: unknown) => {
      throw new NotFoundError(`beir_dir "${request.beirDir}" has no corpus.jsonl`, { cause: err });
    });
    return {
      documents: readBeirCorpus(file),
      source: `${request.beirDir}/corpus.jsonl`,
      digest: sha256(`${request.beirDir}\n${info.size}\n${info.mtimeMs}`),
      collection: request.beirDir,
    };
  }

  /** The job's updates; a job that fails ends the stream with a FAILED update and returns its error. */
  async function* run(
    request: IndexCorpusRequest,
    signal: AbortSignal,
  ): AsyncGenerator<IndexCorpusUpdate, IndexJobFailedError | undefined> {
    const name = checkIndexName(request.index);
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
    const corpus = await corpusOf(request);
    const jobKey = sha256(JSON.stringify([corpus.digest, kind, request.shardSize]));
    const jobId =
      request.jobId !== ""
        ? request.jobId
        : `${name.slice(0, 96)}-${model.fingerprint.slice(0, 12)}-${jobKey.slice(0, 12)}`;
    const outDir = indexDir(server.options.indexesRoot, name, model.fingerprint);
    const job = { jobId, kind: "encoder.index" };
    const updates = runIndexCorpusJob({
      bus: options.bus,
      jobId,
      documents: corpus.documents,
      source: corpus.source,
      model,
      outDir,
      index: name,
      ...(request.shardSize === 0 ? {} : { shardSize: request.shardSize }),
      kind,
      ...(server.options.hnsw ? { hnsw: server.options.hnsw } : {}),
      collection: corpus.collection,
      ...(options.shardNames ? { names: options.shardNames } : {}),
      ...(options.queueOptions ? { queueOptions: options.queueOptions } : {}),
      signal,
    });
    const update = (
      state: JobState,
      p: IndexCorpusProgress | undefined,
      failure?: IndexJobFailedError,
    ): IndexCorpusUpdate => {
      const now = new Date();
      return {
        status: {
          job,
          state,
          progress: {
            done: p?.documentsDone ?? 0,
            total: p?.documents ?? 0,
            unit: "documents",
            message: `${p?.shardsDone ?? 0}/${p?.shards ?? 0} shards`,
            updatedAt: now,
          },
          errorCode: failure?.code ?? "",
          errorMessage: failure?.jobError.message ?? "",
          createdAt: undefined,
          updatedAt: now,
          outputs: p?.result === undefined ? [] : [p.result.bundle, ...p.result.files],
        },
        index: p?.manifest === undefined ? undefined : indexInfoOf(name, p.manifest, p.result?.bundle),
        shards: p?.shards ?? 0,
        shardsDone: p?.shardsDone ?? 0,
      };
    };
    let last: IndexCorpusProgress | undefined;
    for (;;) {
      let next: IteratorResult<IndexCorpusProgress>;
      try {
        next = await updates.next();
      } catch (err) {
        if (!(err instanceof IndexJobFailedError)) throw err;
        yield update(JobState.JOB_STATE_FAILED, last, err);
        return err;
      }
      if (next.done === true) return undefined;
      const p = (last = next.value);
      metrics.indexProgress(name, p.documentsDone, p.documents, p.shardsDone, p.shards);
      if (p.manifest !== undefined) {
        const source: IndexSource = {
          beirDir: request.beirDir,
          documents: request.documents,
          corpus: request.corpus,
          kind: request.kind,
          shardSize: request.shardSize,
        };
        await writeDataAtomically(
          join(server.options.indexesRoot, name, INDEX_SOURCE_FILE),
          JSON.stringify(source) + "\n",
        );
        await server.addIndex(name, model.fingerprint);
      }
      yield update(
        p.state === "queued"
          ? JobState.JOB_STATE_QUEUED
          : p.state === "running"
            ? JobState.JOB_STATE_RUNNING
            : JobState.JOB_STATE_SUCCEEDED,
        p,
      );
    }
  }

  return { run };
}
