/**
 * A batch scoring job on the bus (teacher scores for training sets), on the @ferret/jobs runtime:
 *   - KV bucket "ranker-jobs", key `<id>`: the job record (JobRecord<ScoreJobSpec, ScoreJobResult>),
 *     queued -> running -> succeeded | failed, progress in batches;
 *   - work queue "ranker-score": one message per batch (ScoreBatchMessage), published with id `<job>.<batch>`;
 *   - KV bucket "ranker-batches", key `<job>.<batch>`: the batch's scores (BatchLedger, create-if-absent);
 *   - object bucket "ranker-results", object `<job>.tsv`: the assembled scores (query id, doc id, score per
 *     line, in submission order), written when the last batch lands;
 *   - events "ranker.scores.progress" (after each batch) and "ranker.scores.completed" (once, by event id).
 */
import type { Bus } from "@ferret/bus";
import { BatchLedger, JobStore, type JobRecord } from "@ferret/jobs";

export const SCORE_QUEUE = "ranker-score";
export const SCORE_JOBS_BUCKET = "ranker-jobs";
export const SCORE_BATCHES_BUCKET = "ranker-batches";
export const SCORE_RESULTS_BUCKET = "ranker-results";
export const SCORES_PROGRESS_EVENT = "ranker.scores.progress";
export const SCORES_COMPLETED_EVENT = "ranker.scores.completed";
export const SCORE_JOB_KIND = "ranker.score";

export interface ScoreJobSpec {
  /** Model name as the worker's model resolver knows it. */
  model: string;
  quantized: boolean;
  totalPairs: number;
  /** sha256 of the submitted pairs, model and variant: a resubmission must match it. */
  fingerprint: string;
}

/** The assembled scores in the results bucket. */
export interface ScoreJobResult {
  bucket: string;
  name: string;
  sha256: string;
  size: number;
}

export type ScoreJobRecord = JobRecord<ScoreJobSpec, ScoreJobResult>;

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

export const batchKey = (jobId: string, batch: number): string => BatchLedger.key(jobId, batch);
export const resultObjectName = (jobId: string): string => `${jobId}.tsv`;

export interface ScoreJobStores {
  names: ScoreJobNames;
  jobs: JobStore<ScoreJobSpec, ScoreJobResult>;
  batches: BatchLedger<ScoreBatchResult>;
}

export async function openScoreJobs(bus: Bus, names: Partial<ScoreJobNames> = {}): Promise<ScoreJobStores> {
  const all = { ...DEFAULT_SCORE_JOB_NAMES, ...names };
  const [jobs, batches] = await Promise.all([
    JobStore.open<ScoreJobSpec, ScoreJobResult>(bus, { bucket: all.jobsBucket, kind: SCORE_JOB_KIND }),
    BatchLedger.open<ScoreBatchResult>(bus, all.batchesBucket),
  ]);
  return { names: all, jobs, batches };
}
