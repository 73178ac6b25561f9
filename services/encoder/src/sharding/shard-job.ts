/**
 * A sharded indexing job on the bus (IndexCorpus): the coordinator splits the corpus into shards and
 *   - object bucket "encoder-shards", object `<job>.<shard>.in`: the shard's documents (JSONL of [id, text]);
 *   - object `<job>.plan`: the job plan (JobPlan: per shard its input, its document count and its ids' sha256);
 *   - work queue "encoder-shards": one ShardMessage per shard, published with id `<job>:<shard>:<call>` (dedup);
 *   - object `<job>.<shard>.<worker>.<delivery>.vec`: the vectors one delivery computed (ShardVectors bytes);
 *   - KV bucket "encoder-shards", key `<job>.<shard>`: which vectors object is THE shard's (ShardRecord),
 *     a @ferret/jobs batch ledger written create-if-absent, so a shard redelivered after its worker died is
 *     recorded exactly once (and counted once in the job's progress);
 *   - KV bucket "encoder-jobs", key `<job>`: the job (@ferret/jobs record), until an assembly finishes it;
 *   - event "encoder.shard.recorded" after each shard; whoever records the last shard (or sees every shard
 *     recorded) publishes an AssembleMessage on the same queue (id `<job>:assemble:<planned at>`), which any
 *     replica runs;
 *   - object bucket "encoder-indexes": the assembled index files and their bundle (see index-bundle.ts).
 */
import { InvalidArgumentError } from "@ferret/errors";
import { BatchLedger } from "@ferret/jobs";

export const SHARD_QUEUE = "encoder-shards";
export const SHARD_RECORDS_BUCKET = "encoder-shards";
export const SHARD_OBJECTS_BUCKET = "encoder-shards";
export const SHARD_RECORDED_EVENT = "encoder.shard.recorded";
export const INDEX_COMPLETED_EVENT = "corpus.indexed";
export const JOBS_BUCKET = "encoder-jobs";
export const INDEXES_BUCKET = "encoder-indexes";

export interface ShardJobNames {
  queue: string;
  recordsBucket: string;
  objectsBucket: string;
  /** KV bucket of job records. */
  jobsBucket: string;
  /** Object bucket the assembled indexes are published to. */
  indexesBucket: string;
}

export const DEFAULT_SHARD_JOB_NAMES: ShardJobNames = {
  queue: SHARD_QUEUE,
  recordsBucket: SHARD_RECORDS_BUCKET,
  objectsBucket: SHARD_OBJECTS_BUCKET,
  jobsBucket: JOBS_BUCKET,
  indexesBucket: INDEXES_BUCKET,
};

/** A message on the shard queue: encode one shard, or assemble a job whose shards are all recorded. */
export type EncoderQueueMessage = ShardMessage | AssembleMessage;

export interface AssembleMessage {
  type: "assemble";
  jobId: string;
}

export interface ShardMessage {
  type: "shard";
  jobId: string;
  shard: number;
  /** Model directory name, variant and fingerprint: a worker whose model differs refuses the shard. */
  model: string;
  variant: "fp32" | "quantized";
  fingerprint: string;
  /** Input object name and its sha256. */
  input: string;
  inputSha256: string;
  documents: number;
}

export interface ShardRecord {
  shard: number;
  documents: number;
  /** The vectors object of the delivery that recorded the shard, and its sha256. */
  object: string;
  sha256: string;
  fingerprint: string;
  /** Who recorded it (host:pid) and on which delivery: for audits of redeliveries. */
  worker: string;
  deliveryCount: number;
}

/** The shard's key in the shard ledger. */
export const shardKey = (jobId: string, shard: number): string => BatchLedger.key(jobId, shard);
export const planObjectName = (jobId: string): string => `${jobId}.plan`;
/**
 * Deduplication id of a job's assemble message (whoever publishes it, however often), per planning of the job
 * (`createdAt` of its record): a job planned again after it failed is not swallowed by the dedup window.
 */
export const assembleMessageId = (jobId: string, createdAt: string): string =>
  `${jobId}:assemble:${Date.parse(createdAt).toString(36)}`;
export const shardInputName = (jobId: string, shard: number): string => `${jobId}.${shard}.in`;
export const shardVectorsName = (jobId: string, shard: number, worker: string, delivery: number): string =>
  `${jobId}.${shard}.${worker.replace(/[^A-Za-z0-9_-]/g, "_")}.${delivery}.vec`;

/** [document id, text to embed] per line. */
export function encodeShardInput(docs: readonly (readonly [string, string])[]): Uint8Array {
  return new TextEncoder().encode(docs.map((d) => JSON.stringify(d)).join("\n"));
}

export function decodeShardInput(bytes: Uint8Array): [string, string][] {
  const text = new TextDecoder().decode(bytes);
  return text === "" ? [] : text.split("\n").map((line) => JSON.parse(line) as [string, string]);
}

/** uint32 LE length of the ids JSON, the ids JSON, padding to 4 bytes, then float32 LE vectors. */
export function encodeShardVectors(
  ids: readonly string[],
  dimension: number,
  vectors: Float32Array,
): Uint8Array {
  const head = new TextEncoder().encode(JSON.stringify({ dimension, ids }));
  const offset = 4 + head.length + ((4 - ((4 + head.length) % 4)) % 4);
  const out = new Uint8Array(offset + vectors.byteLength);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  out.set(new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength), offset);
  return out;
}

export function decodeShardVectors(bytes: Uint8Array): {
  ids: string[];
  dimension: number;
  vectors: Float32Array;
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(0, true);
  const head = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headLength))) as {
    dimension: number;
    ids: string[];
  };
  const offset = 4 + headLength + ((4 - ((4 + headLength) % 4)) % 4);
  const body = bytes.slice(offset); // copy: aligned for Float32Array
  const vectors = new Float32Array(body.buffer, 0, body.byteLength / 4);
  if (vectors.length !== head.ids.length * head.dimension) {
    throw new InvalidArgumentError(
      `shard vectors hold ${vectors.length} floats; ${head.ids.length} ids x ${head.dimension} dims expected`,
    );
  }
  return { ids: head.ids, dimension: head.dimension, vectors };
}
