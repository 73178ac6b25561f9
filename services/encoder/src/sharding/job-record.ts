/**
 * The state of a sharded indexing job that outlives its coordinator: the plan (object `<job>.plan`, written
 * once the corpus has been split) and the job record (@ferret/jobs, KV `<job>` in the jobs bucket). Any
 * replica can assemble the index from them, so a coordinator that dies after planning still leaves a
 * complete index.
 */
import { createHash } from "node:crypto";
import type { JobRecord as RuntimeJobRecord } from "@ferret/jobs";
import type { ArtifactRef } from "@ferret/proto";
import type { HnswOptions } from "../vector-index/hnsw-index.js";
import type { IndexManifest } from "../vector-index/index-store.js";

export interface JobModel {
  name: string;
  variant: "fp32" | "quantized";
  fingerprint: string;
  dimension: number;
  /** Recorded in the manifest (the default model of a later search). */
  dir?: string;
}

export interface ShardPlan {
  /** Input object name and its sha256. */
  input: string;
  inputSha256: string;
  documents: number;
  /** sha256 of the shard's document ids (idsDigest): what its vectors must carry. */
  idsSha256: string;
}

/** Everything an assembly needs besides the shard records. Stored as an object (it grows with the corpus). */
export interface JobPlan {
  jobId: string;
  /** Index name (the published objects' prefix). */
  index: string;
  collection?: string;
  model: JobModel;
  kind: "exact" | "hnsw";
  hnsw?: HnswOptions;
  documents: number;
  shards: ShardPlan[];
}

/** The published index: the bundle (first) and each file. */
export interface IndexResult {
  manifest: IndexManifest;
  bundle: ArtifactRef;
  files: ArtifactRef[];
  /** Which replica assembled it (host:pid) and when. */
  assembledBy: string;
  at: string;
}

/** What an indexing job builds: the record's spec. */
export interface IndexJobSpec {
  /** Index name (the published objects' prefix). */
  index: string;
  modelFingerprint: string;
  shards: number;
  documents: number;
  /** The plan object and its sha256. */
  plan: { object: string; sha256: string };
}

/**
 * An indexing job's record: progress counts shards (`counts.documents` their documents), each once. The
 * assembly that wins claims the job by writing its `result` while the job still runs (compare-and-set),
 * publishes the completion event, removes the shard state and only then marks the job succeeded, so a
 * succeeded job is finished and an assembly that died after its claim is finished by the next delivery.
 */
export type JobRecord = RuntimeJobRecord<IndexJobSpec, IndexResult>;

/** sha256 of ids joined by "\n" (ids never contain one: they come from JSON lines, one id per document). */
export function idsDigest(ids: readonly string[]): string {
  const hash = createHash("sha256");
  ids.forEach((id, i) => hash.update(i === 0 ? id : `\n${id}`));
  return hash.digest("hex");
}
