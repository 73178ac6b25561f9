/**
 * Submitting a scoring job: the job record is created once (create-if-absent), then every batch is
 * published with the deterministic id `<job>.<batch>`. Submitting the same job again (a producer that
 * crashed half-way, a client retry) finds the record, checks that the pairs are the same and publishes
 * the batches again: the bus drops duplicates within its dedup window, and after it a worker finds the
 * batch recorded and acks without rescoring.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Bus, QueueOptions } from "@ferret/bus";
import { AlreadyExistsError, InputError } from "@ferret/errors";
import { checkJobId, isFinal } from "@ferret/jobs";
import { DEFAULT_MAX_BATCH_BYTES, DEFAULT_SCORE_BATCH_SIZE, planScoreBatches } from "./plan-score-batches.js";
import {
  openScoreJobs,
  type ScoreBatchMessage,
  type ScoreJobNames,
  type ScoreJobRecord,
  type ScorePairTuple,
} from "./score-job-record.js";

export interface SubmitScoreJobOptions {
  /** Default: a random UUID. */
  jobId?: string;
  model: string;
  quantized?: boolean;
  pairs: readonly ScorePairTuple[];
  /** Pairs per batch. Default 256. */
  batchSize?: number;
  maxBatchBytes?: number;
  names?: Partial<ScoreJobNames>;
  /** Give producers and workers the same queue options. */
  queueOptions?: QueueOptions;
}

export interface SubmittedScoreJob {
  record: ScoreJobRecord;
  /** False when the job already existed (this call only re-published its batches). */
  created: boolean;
}

function fingerprintOf(model: string, quantized: boolean, pairs: readonly ScorePairTuple[]): string {
  const hash = createHash("sha256").update(JSON.stringify([model, quantized]));
  for (const pair of pairs) hash.update(JSON.stringify(pair)).update("\n");
  return hash.digest("hex");
}

export async function submitScoreJob(bus: Bus, options: SubmitScoreJobOptions): Promise<SubmittedScoreJob> {
  const jobId = checkJobId(options.jobId ?? randomUUID(), { file: "<score job>" });
  const quantized = options.quantized === true;
  const batchSize = options.batchSize ?? DEFAULT_SCORE_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InputError({ file: "<score job>", field: "batch_size" }, `must be >= 1, got ${batchSize}`);
  }
  if (options.pairs.length === 0) {
    throw new InputError({ file: "<score job>", field: "pairs" }, "a scoring job needs at least one pair");
  }
  options.pairs.forEach((p, i) => {
    if (p[0] === "" || p[1] === "") {
      throw new InputError({ file: "<score job>", field: `pairs[${i}]` }, "empty query id or document id");
    }
  });
  const ranges = planScoreBatches(options.pairs, batchSize, options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES);
  const fingerprint = fingerprintOf(options.model, quantized, options.pairs);
  const { names, jobs } = await openScoreJobs(bus, options.names);
  const queue = await bus.queue<ScoreBatchMessage>(names.queue, options.queueOptions);

  const { record, created } = await jobs.create(jobId, {
    spec: { model: options.model, quantized, totalPairs: options.pairs.length, fingerprint },
    total: ranges.length,
  });
  if (!created) {
    if (record.spec.fingerprint !== fingerprint || record.progress.total !== ranges.length) {
      throw new AlreadyExistsError(
        `score job "${jobId}" already exists with different pairs, model or batching; use another job id`,
      );
    }
    if (isFinal(record.state)) return { record, created };
  }
  for (let batch = 0; batch < ranges.length; batch++) {
    const [start, end] = ranges[batch]!;
    const message: ScoreBatchMessage = {
      jobId,
      batch,
      model: options.model,
      quantized,
      pairs: options.pairs.slice(start, end),
    };
    await queue.publish(message, { id: `${jobId}.${batch}` });
  }
  return { record, created };
}
