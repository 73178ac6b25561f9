/**
 * The "worker dies mid-job" scenario, run against both bus adapters: a scoring job of the 160 fixture pairs
 * in 10 batches; a doomed worker records 2 batches, then scores a third and dies before recording it
 * (NATS: a real child process killed with SIGKILL; in-process: a handler that never resolves). A surviving
 * worker then finishes the job. Checks: every pair scored exactly once in the result, scores equal to
 * PyTorch's (fixture reference), the lost batch redelivered and recorded once, progress monotonic to done,
 * one completion event, the TSV artifact equal to the result, and a resubmission that changes nothing.
 */
import { expect } from "vitest";
import type { Bus, QueueOptions } from "@ferret/bus";
import { within } from "@ferret/bus/testing";
import { CrossEncoderScorer } from "../rerank/pair-scorer.js";
import { readScoreJobResult, scoresToTsv, watchScoreJob } from "../jobs/score-job-results.js";
import {
  SCORES_COMPLETED_EVENT,
  batchKey,
  resultObjectName,
  type ScoreBatchResult,
  type ScoreJobNames,
  type ScoreJobRecord,
  type ScorePairTuple,
} from "../jobs/score-job-record.js";
import { startScoreWorker } from "../jobs/score-worker.js";
import { submitScoreJob } from "../jobs/submit-score-job.js";
import { readReference, sigmoid, TINY_CE } from "./fixtures.js";

export const BATCH_SIZE = 16;
export const HANG_ON = 3;

export interface DoomedScoreWorker {
  /** Resolves with the first pair [query, passage] of the batch it hung on. */
  hung: Promise<readonly [string, string]>;
  kill(): Promise<void>;
}

export interface ScenarioHarness {
  bus: Bus;
  names: ScoreJobNames;
  queueOptions: QueueOptions;
  startDoomedWorker(): Promise<DoomedScoreWorker>;
}

export async function runExactlyOnceScenario(h: ScenarioHarness, jobId: string): Promise<void> {
  const { bus, names } = h;
  const reference = readReference();
  const pairs: ScorePairTuple[] = reference.pairs.map((p) => [p.queryId, p.docId, p.query, p.passage]);
  const completions: unknown[] = [];
  const sub = await bus.events.subscribe<{ jobId: string }>(SCORES_COMPLETED_EVENT, (e) => {
    if (e.data.jobId === jobId) completions.push(e.data);
  });
  const batches = await bus.kv<ScoreBatchResult>(names.batchesBucket);
  const doomed = await h.startDoomedWorker();
  const survivorScorer = await CrossEncoderScorer.load(TINY_CE, { intraOpNumThreads: 1 });
  try {
    const submitted = await submitScoreJob(bus, {
      jobId,
      model: "tiny-ce",
      pairs,
      batchSize: BATCH_SIZE,
      names,
      queueOptions: h.queueOptions,
    });
    expect(submitted.created).toBe(true);
    expect(submitted.record.progress.total).toBe(10);

    const [query, passage] = await within(60_000, "the doomed worker to hang", doomed.hung);
    const lostBatch = pairs.findIndex((p) => p[2] === query && p[3] === passage) / BATCH_SIZE;
    expect(Number.isInteger(lostBatch)).toBe(true);
    await doomed.kill();
    // Exactly the batches it finished are recorded; the one it died on is not.
    const recordedByDoomed = await batches.keys(`${jobId}.*`);
    expect(recordedByDoomed).toHaveLength(HANG_ON - 1);
    expect(recordedByDoomed).not.toContain(batchKey(jobId, lostBatch));

    const progress: ScoreJobRecord[] = [];
    const watching = (async () => {
      for await (const record of watchScoreJob(bus, jobId, { names })) progress.push(record);
    })();
    const survivor = await startScoreWorker({
      bus,
      scorers: async () => survivorScorer,
      names,
      queueOptions: h.queueOptions,
    });
    try {
      await within(60_000, "the job to finish", watching);
    } finally {
      await survivor.stop({ graceMs: 5_000 });
    }
    const stats = survivor.stats();
    expect(stats.recorded).toBe(10 - (HANG_ON - 1));
    expect(stats.lostRaces).toBe(0);

    // progress: monotonic, ends succeeded with every batch done
    const done = progress.map((r) => r.progress.done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const last = progress[progress.length - 1]!;
    expect(last.state).toBe("succeeded");
    expect(last.progress.done).toBe(10);

    // every pair exactly once, in submission order, with PyTorch's scores
    const { record, scores } = await readScoreJobResult(bus, jobId, names);
    expect(record.state).toBe("succeeded");
    expect(scores.map((s) => `${s.queryId} ${s.docId}`)).toEqual(pairs.map((p) => `${p[0]} ${p[1]}`));
    expect(new Set(scores.map((s) => `${s.queryId} ${s.docId}`)).size).toBe(160);
    scores.forEach((s, i) =>
      expect(Math.abs(s.score - sigmoid(reference.pairs[i]!.logit))).toBeLessThan(1e-4),
    );
    // the lost batch came back (a later delivery) and was recorded once
    const lost = (await batches.get(batchKey(jobId, lostBatch)))!;
    expect(lost.value.deliveryCount).toBeGreaterThanOrEqual(2);

    // the assembled artifact and one completion event
    const objects = await bus.objects(names.resultsBucket);
    const tsv = new TextDecoder().decode(await objects.getBytes(resultObjectName(jobId)));
    expect(tsv).toBe(scoresToTsv(scores));
    expect(record.result?.name).toBe(resultObjectName(jobId));
    await new Promise((r) => setTimeout(r, 200));
    expect(completions).toHaveLength(1);

    // submitting the same job again changes nothing
    const again = await submitScoreJob(bus, { jobId, model: "tiny-ce", pairs, batchSize: BATCH_SIZE, names });
    expect(again.created).toBe(false);
    expect(again.record.state).toBe("succeeded");
    await expect(
      submitScoreJob(bus, { jobId, model: "tiny-ce", pairs: pairs.slice(1), batchSize: BATCH_SIZE, names }),
    ).rejects.toMatchObject({ code: "ALREADY_EXISTS" });
  } finally {
    await sub.stop();
    await survivorScorer.close();
    await doomed.kill();
  }
}
