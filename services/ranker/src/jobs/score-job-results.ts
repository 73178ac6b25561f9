/**
 * Reading a scoring job back: its record, its assembled scores (from the per-batch results, in submission
 * order) and a watch that yields the record on every change until the job ends.
 */
import type { Bus } from "@ferret/bus";
import type { BatchLedger } from "@ferret/jobs";
import { NotFoundError } from "@ferret/errors";
import {
  openScoreJobs,
  type ScoreBatchResult,
  type ScoreJobNames,
  type ScoreJobRecord,
} from "./score-job-record.js";

export interface ScoredPairRow {
  queryId: string;
  docId: string;
  score: number;
}

export async function readScoreJob(
  bus: Bus,
  jobId: string,
  names: Partial<ScoreJobNames> = {},
): Promise<ScoreJobRecord | undefined> {
  return (await openScoreJobs(bus, names)).jobs.get(jobId);
}

/** Every recorded batch of the job, in batch order; NotFoundError naming the first missing batch. */
export async function assembleScores(
  batches: BatchLedger<ScoreBatchResult>,
  record: Pick<ScoreJobRecord, "jobId" | "progress">,
): Promise<ScoredPairRow[]> {
  const rows: ScoredPairRow[] = [];
  for (const r of await batches.all(record.jobId, record.progress.total)) {
    r.scores.forEach((score, i) => rows.push({ queryId: r.queryIds[i]!, docId: r.docIds[i]!, score }));
  }
  return rows;
}

/** The scores of a job (all batches must be recorded). */
export async function readScoreJobResult(
  bus: Bus,
  jobId: string,
  names: Partial<ScoreJobNames> = {},
): Promise<{ record: ScoreJobRecord; scores: ScoredPairRow[] }> {
  const { jobs, batches } = await openScoreJobs(bus, names);
  const record = await jobs.get(jobId);
  if (record === undefined) throw new NotFoundError(`no score job "${jobId}"`);
  return { record, scores: await assembleScores(batches, record) };
}

/** The result as TSV lines `query id \t doc id \t score` (shortest round-trip decimal). */
export function scoresToTsv(rows: readonly ScoredPairRow[]): string {
  return rows.map((r) => `${r.queryId}\t${r.docId}\t${r.score}\n`).join("");
}

/**
 * Yields the job's record now and after every change, ending after a final one (or when `signal`
 * aborts). NotFoundError when there is no such job.
 */
export async function* watchScoreJob(
  bus: Bus,
  jobId: string,
  options: { names?: Partial<ScoreJobNames>; signal?: AbortSignal } = {},
): AsyncGenerator<ScoreJobRecord> {
  const { jobs } = await openScoreJobs(bus, options.names);
  yield* jobs.watch(jobId, options.signal === undefined ? {} : { signal: options.signal });
}
