import type { JobRecord } from "@ferret/jobs";
import type { ArtifactRef } from "@ferret/proto";
import type { LabelRecord } from "../labels.js";
import type { WorkItem } from "../work-items.js";

/** What an annotation job was asked for (the job record's spec). */
export interface AnnotationSpec {
  /** "relevance", "utility", "queries" or "documents". */
  task: string;
  totalItems: number;
  batchSize: number;
  /** Bumped on every (re)submission so batch messages get fresh dedup ids. */
  submissions: number;
  /** USD per 1M prompt / completion tokens, for the cost report. */
  pricing?: { promptPerMillion: number; completionPerMillion: number };
}

/** Set on success: the labels dataset in the results object store (labels.jsonl, qrels.trec). */
export interface AnnotationResult {
  outputs: ArtifactRef[];
}

/**
 * An annotation job's record (@ferret/jobs): progress counts batches (total = the job's batches) and
 * its counts are the BatchCounts of the batches counted, each once.
 */
export type AnnotationJob = JobRecord<AnnotationSpec, AnnotationResult>;

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

/** What one finished batch adds to its job's progress (a type, so it is a Record<string, number>). */
export type BatchCounts = {
  items: number;
  labelsOk: number;
  labelsFailed: number;
  llmCalls: number;
  cachedSteps: number;
  promptTokens: number;
  completionTokens: number;
};

/** One batch ledger entry per finished batch, written once with create-if-absent. */
export interface BatchLabels {
  batch: number;
  labels: LabelRecord[];
  counts: BatchCounts;
}

export interface BatchFile {
  jobId: string;
  batch: number;
  items: WorkItem[];
}

/** A job's record with its totals read out of the record's counts. */
export interface AnnotationProgress {
  job: AnnotationJob;
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
