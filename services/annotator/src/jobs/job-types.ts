import type { ArtifactRef } from "@ferret/proto";
import type { WorkItem } from "../work-items.js";

export type JobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface JobRecord {
  jobId: string;
  /** "relevance", "utility", "queries" or "documents". */
  kind: string;
  state: JobState;
  totalItems: number;
  batches: number;
  batchSize: number;
  /** Bumped on every (re)submission so batch messages get fresh dedup ids. */
  submissions: number;
  createdAt: string;
  updatedAt: string;
  error?: string;
  /** Set on success: the labels dataset in the results object store (labels.jsonl, qrels.trec). */
  outputs?: ArtifactRef[];
  /** USD per 1M prompt / completion tokens, for the cost report. */
  pricing?: { promptPerMillion: number; completionPerMillion: number };
}

/** The queue message: which batch of which job (the items are in the object store). */
export interface BatchMessage {
  jobId: string;
  batch: number;
}

export interface BatchFile {
  jobId: string;
  batch: number;
  items: WorkItem[];
}

export interface JobProgress {
  job: JobRecord;
  itemsDone: number;
  labelsOk: number;
  labelsFailed: number;
  batchesDone: number;
  llmCalls: number;
  cachedSteps: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}
