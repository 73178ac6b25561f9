/**
 * A batch scoring job on the bus (teacher scores for training sets):
 *   - KV bucket "ranker-jobs", key `job.<id>`: the job record (ScoreJobRecord, plain JSON) with its state
 *     (queued -> running -> succeeded | failed) and progress in batches;
 *   - work queue "ranker-score": one message per batch (ScoreBatchMessage), published with id `<job>.<batch>`;
 *   - KV bucket "ranker-batches", key `<job>.<batch>`: the batch's scores, written create-if-absent, so a
 *     batch redelivered after its worker died records its result exactly once;
 *   - object bucket "ranker-results", object `<job>.tsv`: the assembled scores (query id, doc id, score per
 *     line, in submission order), written when the last batch lands;
 *   - events "ranker.scores.progress" (after each batch) and "ranker.scores.completed" (once, by event id).
 */
import { InputError } from "@ferret/errors";

export const SCORE_QUEUE = "ranker-score";
export const SCORE_JOBS_BUCKET = "ranker-jobs";
export const SCORE_BATCHES_BUCKET = "ranker-batches";
export const SCORE_RESULTS_BUCKET = "ranker-results";
export const SCORES_PROGRESS_EVENT = "ranker.scores.progress";
export const SCORES_COMPLETED_EVENT = "ranker.scores.completed";
export const SCORE_JOB_KIND = "ranker.score";

export type ScoreJobState = "queued" | "running" | "succeeded" | "failed";

export interface ScoreJobRecord {
  jobId: string;
  /** Model name as the worker's model resolver knows it. */
  model: string;
  quantized: boolean;
  totalPairs: number;
  batches: number;
  /** sha256 of the submitted pairs, model and variant: a resubmission must match it. */
  fingerprint: string;
  state: ScoreJobState;
  /** Batches whose scores are recorded. */
  done: number;
  createdAt: string;
  updatedAt: string;
  /** Object name in the results bucket, once succeeded. */
  result?: { bucket: string; name: string; sha256: string; size: number };
  error?: { code: string; message: string };
}

/** One pair of a job: [query id, document id, query text, passage text]. */
export type ScorePairTuple = [queryId: string, docId: string, query: string, passage: string];

export interface ScoreBatchMessage {
  jobId: string;
  batch: number;
  model: string;
  quantized: boolean;
  pairs: ScorePairTuple[];
}

export interface ScoreBatchResult {
  batch: number;
  queryIds: string[];
  docIds: string[];
  scores: number[];
  /** Who recorded it (host:pid) and on which delivery: for audits of redeliveries. */
  worker: string;
  deliveryCount: number;
}

export interface ScoreJobNames {
  queue: string;
  jobsBucket: string;
  batchesBucket: string;
  resultsBucket: string;
}

export const DEFAULT_SCORE_JOB_NAMES: ScoreJobNames = {
  queue: SCORE_QUEUE,
  jobsBucket: SCORE_JOBS_BUCKET,
  batchesBucket: SCORE_BATCHES_BUCKET,
  resultsBucket: SCORE_RESULTS_BUCKET,
};

const JOB_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Job ids become KV keys and message ids: [A-Za-z0-9_-], at most 128 characters. */
export function checkJobId(jobId: string): string {
  if (!JOB_ID.test(jobId)) {
    throw new InputError(
      { file: "<score job>", field: "job_id" },
      `"${jobId}" is not a valid job id (1-128 of A-Z a-z 0-9 _ -)`,
    );
  }
  return jobId;
}

export const jobKey = (jobId: string): string => `job.${jobId}`;
export const batchKey = (jobId: string, batch: number): string => `${jobId}.${batch}`;
export const resultObjectName = (jobId: string): string => `${jobId}.tsv`;
