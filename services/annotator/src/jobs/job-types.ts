import type { ArtifactRef } from "@ferret/proto";
import type { LabelRecord } from "../labels.js";
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

/**
 * The queue message: which batch of which job, with its items inline when they are small (the common
 * case: one message, no object-store round trip per batch) or, when `items` is absent, in the object
 * store under batchObjectName(jobId, batch).
 */
export interface BatchMessage {
  jobId: string;
  batch: number;
  items?: WorkItem[];
}

/** What one finished batch adds to its job's progress. */
export interface BatchCounts {
  items: number;
  labelsOk: number;
  labelsFailed: number;
  llmCalls: number;
  cachedSteps: number;
  promptTokens: number;
  completionTokens: number;
}

/** One KV entry per finished batch (`<job>.b<batch>`), written once with create-if-absent. */
export interface BatchLabels {
  batch: number;
  labels: LabelRecord[];
  counts: BatchCounts;
}

/**
 * A job's running totals (one KV entry per job, compare-and-set): the sum of the counts of the batches
 * whose bit is set in `counted` (base64 bitmap), so a batch is added exactly once however often it is
 * delivered, and progress is one read instead of a scan of every label.
 */
export interface JobCounters extends BatchCounts {
  batchesDone: number;
  counted: string;
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
