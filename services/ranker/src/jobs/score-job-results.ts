/**
 * Reading a scoring job back: its record, its assembled scores (from the per-batch KV results, in
 * submission order) and a watch that yields the record on every change until the job ends.
 */
import type { Bus, KvStore } from "@ferret/bus";
import { NotFoundError } from "@ferret/errors";
import {
  DEFAULT_SCORE_JOB_NAMES,
  batchKey,
  jobKey,
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
  const jobs = await bus.kv<ScoreJobRecord>(names.jobsBucket ?? DEFAULT_SCORE_JOB_NAMES.jobsBucket);
  return (await jobs.get(jobKey(jobId)))?.value;
}

/** Every recorded batch of the job, in batch order; NotFoundError naming the first missing batch. */
export async function assembleScores(
  batches: KvStore<ScoreBatchResult>,
  record: Pick<ScoreJobRecord, "jobId" | "batches">,
): Promise<ScoredPairRow[]> {
  const rows: ScoredPairRow[] = [];
  for (let batch = 0; batch < record.batches; batch++) {
    const entry = await batches.get(batchKey(record.jobId, batch));
    if (entry === undefined) {
      throw new NotFoundError(
        `score job "${record.jobId}": batch ${batch} of ${record.batches} not scored yet`,
      );
    }
    const r = entry.value;
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
  const record = await readScoreJob(bus, jobId, names);
  if (record === undefined) throw new NotFoundError(`no score job "${jobId}"`);
  const batches = await bus.kv<ScoreBatchResult>(
    names.batchesBucket ?? DEFAULT_SCORE_JOB_NAMES.batchesBucket,
  );
  return { record, scores: await assembleScores(batches, record) };
}

/** The result as TSV lines `query id \t doc id \t score` (shortest round-trip decimal). */
export function scoresToTsv(rows: readonly ScoredPairRow[]): string {
  return rows.map((r) => `${r.queryId}\t${r.docId}\t${r.score}\n`).join("");
}

const isFinal = (r: ScoreJobRecord): boolean => r.state === "succeeded" || r.state === "failed";

/**
 * Yields the job's record now and after every change, ending after a succeeded or failed one (or when
 * `signal` aborts). NotFoundError when there is no such job.
 */
export async function* watchScoreJob(
  bus: Bus,
  jobId: string,
  options: { names?: Partial<ScoreJobNames>; signal?: AbortSignal } = {},
): AsyncGenerator<ScoreJobRecord> {
  const jobs = await bus.kv<ScoreJobRecord>(options.names?.jobsBucket ?? DEFAULT_SCORE_JOB_NAMES.jobsBucket);
  if ((await jobs.get(jobKey(jobId))) === undefined) throw new NotFoundError(`no score job "${jobId}"`);
  const queue: ScoreJobRecord[] = [];
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const sub = await jobs.watch(jobKey(jobId), (change) => {
    if (change.value !== undefined) queue.push(change.value);
    notify();
  });
  options.signal?.addEventListener("abort", notify, { once: true });
  try {
    let lastRevisionSeen = "";
    for (;;) {
      while (queue.length > 0) {
        const record = queue.shift()!;
        const seen = `${record.state}:${record.done}:${record.updatedAt}`;
        if (seen !== lastRevisionSeen) {
          lastRevisionSeen = seen;
          yield record;
        }
        if (isFinal(record)) return;
      }
      if (options.signal?.aborted === true) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    options.signal?.removeEventListener("abort", notify);
    await sub.stop();
  }
}
