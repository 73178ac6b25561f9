/**
 * The coordinator of a sharded indexing job (IndexCorpus): splits the corpus into shards, stores each
 * shard's documents in the object store, publishes one work-queue job per shard (id `<job>:<shard>:<call>`,
 * so a publish retried by this call does not enqueue a shard twice), follows the shard records in KV and, once every
 * shard is recorded, assembles the index: shards in order, each shard's ids checked against the ids it was
 * given (no document missing, none twice, every shard encoded by the expected model), then saved with its
 * manifest. Calling it again with the same job id resumes: recorded shards are not encoded again.
 */
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Bus, QueueOptions } from "@ferret/bus";
import type { DocumentRecord } from "@ferret/datasets";
import { InputError, InternalError } from "@ferret/errors";
import { documentText } from "../dense-retriever.js";
import { chooseIndexKind, type IndexKind } from "../index/create-index.js";
import { ExactIndex } from "../index/exact-index.js";
import { HnswIndex, type HnswOptions } from "../index/hnsw-index.js";
import { MANIFEST_FILE, saveDenseIndex, type IndexManifest } from "../index/index-store.js";
import {
  DEFAULT_SHARD_JOB_NAMES,
  INDEX_COMPLETED_EVENT,
  checkShardJobId,
  decodeShardVectors,
  encodeShardInput,
  shardInputName,
  shardKey,
  type ShardJobNames,
  type ShardMessage,
  type ShardRecord,
} from "./shard-job.js";

export const DEFAULT_SHARD_SIZE = 512;

export interface IndexCorpusJobOptions {
  bus: Bus;
  jobId: string;
  documents: Iterable<DocumentRecord> | AsyncIterable<DocumentRecord>;
  /** `dir` is recorded in the manifest (the default model of a later search). */
  model: {
    name: string;
    variant: "fp32" | "quantized";
    fingerprint: string;
    dimension: number;
    dir?: string;
  };
  outDir: string;
  shardSize?: number;
  kind?: IndexKind;
  hnsw?: HnswOptions;
  collection?: string;
  names?: Partial<ShardJobNames>;
  queueOptions?: QueueOptions;
  signal?: AbortSignal;
}

export interface IndexCorpusProgress {
  state: "queued" | "running" | "succeeded";
  shards: number;
  shardsDone: number;
  documents: number;
  documentsDone: number;
  /** With "succeeded". */
  manifest?: IndexManifest;
}

/** Splits documents into shards of [id, text]; duplicate ids are an InputError. */
async function readShards(
  docs: Iterable<DocumentRecord> | AsyncIterable<DocumentRecord>,
  shardSize: number,
): Promise<[string, string][][]> {
  const seen = new Set<string>();
  const shards: [string, string][][] = [];
  let n = 0;
  for await (const doc of docs) {
    if (seen.has(doc.id)) {
      throw new InputError(
        { file: "<corpus>", line: n + 1, field: "_id" },
        `duplicate document id "${doc.id}"`,
      );
    }
    seen.add(doc.id);
    if (n % shardSize === 0) shards.push([]);
    shards[shards.length - 1]!.push([doc.id, documentText(doc)]);
    n++;
  }
  return shards;
}

export async function* runIndexCorpusJob(o: IndexCorpusJobOptions): AsyncGenerator<IndexCorpusProgress> {
  const { bus } = o;
  const jobId = checkShardJobId(o.jobId);
  const names = { ...DEFAULT_SHARD_JOB_NAMES, ...o.names };
  const shardSize = o.shardSize ?? DEFAULT_SHARD_SIZE;
  const shards = await readShards(o.documents, shardSize);
  const documents = shards.reduce((n, s) => n + s.length, 0);
  const queue = await bus.queue<ShardMessage>(names.queue, o.queueOptions);
  const records = await bus.kv<ShardRecord>(names.recordsBucket);
  const objects = await bus.objects(names.objectsBucket);
  // Message ids are `<job>:<shard>:<call>`: a publish retried within this call is deduplicated, while a later
  // call with the same job id (resuming, or rebuilding after a finished job whose ids are still inside the
  // dedup window) does enqueue its shards. A shard queued twice is still recorded once (KV create-if-absent).
  const run = randomUUID().slice(0, 8);

  // follow the records from before publishing, so no shard is missed
  const recorded = new Map<number, ShardRecord>();
  let wake: (() => void) | undefined;
  const watcher = await records.watch(`${jobId}.*`, (change) => {
    if (change.operation === "put" && change.value !== undefined)
      recorded.set(change.value.shard, change.value);
    wake?.();
  });
  try {
    for (const [shard, docs] of shards.entries()) {
      if ((await records.get(shardKey(jobId, shard))) !== undefined) continue;
      const input = shardInputName(jobId, shard);
      const info = await objects.put(input, encodeShardInput(docs), { metadata: { job: jobId } });
      await queue.publish(
        {
          jobId,
          shard,
          model: o.model.name,
          variant: o.model.variant,
          fingerprint: o.model.fingerprint,
          input,
          inputSha256: info.sha256,
          documents: docs.length,
        },
        { id: `${jobId}:${shard}:${run}` },
      );
    }
    const progress = (state: IndexCorpusProgress["state"]): IndexCorpusProgress => ({
      state,
      shards: shards.length,
      shardsDone: recorded.size,
      documents,
      documentsDone: [...recorded.values()].reduce((n, r) => n + r.documents, 0),
    });
    yield progress("queued");
    let reported = -1;
    while (recorded.size < shards.length) {
      if (recorded.size !== reported) {
        reported = recorded.size;
        if (reported > 0) yield progress("running");
      }
      o.signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        wake = resolve;
        const timer = setTimeout(resolve, 1000);
        o.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
      wake = undefined;
    }
    yield progress("running");

    const manifest = await assemble(o, shards, recorded, objects);
    // the shard inputs, vectors (recorded or orphaned by killed workers) and records are no longer needed
    for (const info of await objects.list()) {
      if (info.name.startsWith(`${jobId}.`)) await objects.delete(info.name);
    }
    for (const key of await records.keys(`${jobId}.*`)) await records.delete(key);
    await bus.events.publish(
      INDEX_COMPLETED_EVENT,
      {
        jobId,
        corpus: o.collection ?? "",
        indexKind: "dense",
        index: o.outDir,
        model: o.model.name,
        fingerprint: o.model.fingerprint,
        documents,
      },
      { id: `${INDEX_COMPLETED_EVENT}.${jobId}` },
    );
    yield { ...progress("succeeded"), manifest };
  } finally {
    await watcher.stop();
  }
}

async function assemble(
  o: IndexCorpusJobOptions,
  shards: [string, string][][],
  recorded: Map<number, ShardRecord>,
  objects: Awaited<ReturnType<Bus["objects"]>>,
): Promise<IndexManifest> {
  const dim = o.model.dimension;
  const documents = shards.reduce((n, s) => n + s.length, 0);
  const kind = chooseIndexKind(o.kind ?? "auto", documents);
  const exact = new ExactIndex(dim);
  const hnsw = kind === "hnsw" ? new HnswIndex(dim, o.hnsw) : undefined;
  for (const [shard, docs] of shards.entries()) {
    const record = recorded.get(shard);
    if (record === undefined) throw new InternalError(`shard ${shard} of job ${o.jobId} is not recorded`);
    if (record.fingerprint !== o.model.fingerprint) {
      throw new InternalError(
        `shard ${shard} was encoded by another model (${record.fingerprint.slice(0, 12)}…)`,
      );
    }
    const got = decodeShardVectors(await objects.getBytes(record.object, { expectedSha256: record.sha256 }));
    const expected = docs.map((d) => d[0]);
    if (
      got.dimension !== dim ||
      got.ids.length !== expected.length ||
      got.ids.some((id, i) => id !== expected[i])
    ) {
      throw new InternalError(
        `shard ${shard} of job ${o.jobId}: its vectors do not carry the shard's document ids`,
      );
    }
    exact.add(got.ids, got.vectors); // throws on an id seen in an earlier shard
    hnsw?.add(got.ids, got.vectors);
  }
  if (exact.size !== documents) throw new InternalError(`assembled ${exact.size} of ${documents} documents`);
  await rm(join(o.outDir, MANIFEST_FILE), { force: true });
  await exact.save(o.outDir);
  return saveDenseIndex(o.outDir, hnsw ?? exact, {
    modelFingerprint: o.model.fingerprint,
    modelName: o.model.name,
    modelVariant: o.model.variant,
    ...(o.model.dir === undefined ? {} : { modelDir: o.model.dir }),
    ...(o.collection === undefined ? {} : { collection: o.collection }),
  });
}
