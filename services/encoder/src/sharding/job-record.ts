/**
 * The state of a sharded indexing job that outlives its coordinator: the plan (object `<job>.plan`, written
 * once the corpus has been split) and the job record (KV `<job>` in the jobs bucket). Any replica can
 * assemble the index from them, so a coordinator that dies after planning still leaves a complete index.
 */
import { createHash } from "node:crypto";
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

export interface JobRecord {
  jobId: string;
  state: "running" | "succeeded" | "failed";
  index: string;
  modelFingerprint: string;
  shards: number;
  documents: number;
  /** The plan object and its sha256. */
  plan: { object: string; sha256: string };
  createdAt: string;
  /** Set with "succeeded". */
  result?: IndexResult;
  /** Set once the completion event is published and the shard state deleted (later assembles do nothing). */
  finished?: boolean;
  /** Set with "failed": the FerretError code and message of the assembly that gave up. */
  error?: { code: string; message: string };
}

/** sha256 of ids joined by "\n" (ids never contain one: they come from JSON lines, one id per document). */
export function idsDigest(ids: readonly string[]): string {
  const hash = createHash("sha256");
  ids.forEach((id, i) => hash.update(i === 0 ? id : `\n${id}`));
  return hash.digest("hex");
}
