/**
 * The job runtime's contract, run unchanged on a real nats-server and on the in-process bus (nats.test.ts,
 * memory.test.ts). Every queue and bucket has the run id in its name and is deleted afterwards. A hang
 * fails by the test timeout.
 */
import type { Bus, Job, QueueOptions, WorkQueue } from "@ferret/bus";
import { ConflictError, InputError, NotFoundError } from "@ferret/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchLedger } from "../batch-ledger.js";
import { consumeJobs } from "../consume-jobs.js";
import { checkJobId, MAX_JOB_ID_LENGTH } from "../job-id.js";
import type { JobRecord } from "../job-record.js";
import { JobStore } from "../job-store.js";
import { runBatch } from "../run-batch.js";
import { JobFailedError, waitForJob } from "../wait-for-job.js";

export interface JobsHarness {
  readonly kind: "nats" | "memory";
  /** Run-unique suffix of every resource name. */
  readonly runId: string;
  createBus(): Promise<Bus>;
}

interface BatchMessage {
  jobId: string;
  batch: number;
  items: number[];
}

interface Spec {
  batches: number;
}

interface Result {
  sum: number;
}

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterator) out.push(item);
  return out;
}

const fastRetry = { initialMs: 20, factor: 1, maxMs: 20, jitter: 0 };

export function describeJobsContract(harness: JobsHarness): void {
  describe(`jobs (${harness.kind})`, () => {
    let bus: Bus;
    const destroy: (() => Promise<void>)[] = [];
    let n = 0;
    const name = (base: string): string => `${base}-${harness.runId}-${++n}`;

    beforeAll(async () => {
      bus = await harness.createBus();
    });
    afterAll(async () => {
      for (const d of destroy) await d().catch(() => undefined);
      await bus?.close({ graceMs: 100 });
    });

    async function openAll(queueOptions: QueueOptions) {
      const jobsBucket = name("jobs");
      const ledgerBucket = name("batches");
      const queueName = name("q");
      const jobs = await JobStore.open<Spec, Result>(bus, { bucket: jobsBucket, kind: "test.sum" });
      const ledger = await BatchLedger.open<{ sum: number; items: number }>(bus, ledgerBucket);
      const queue = await bus.queue<BatchMessage>(queueName, queueOptions);
      destroy.push(
        () => queue.destroy(),
        () => jobs.kv.destroy(),
        () => ledger.kv.destroy(),
      );
      return { jobs, ledger, queue };
    }

    async function submit(
      jobs: JobStore<Spec, Result>,
      queue: WorkQueue<BatchMessage>,
      jobId: string,
      batches: number[][],
    ): Promise<void> {
      await jobs.create(jobId, { spec: { batches: batches.length }, total: batches.length });
      for (const [batch, items] of batches.entries()) {
        await queue.publish({ jobId, batch, items }, { id: `${jobId}.${batch}` });
      }
    }

    it("creates a record once (create-if-absent) and keeps to one job-id rule", async () => {
      const jobs = await JobStore.open<Spec, Result>(bus, { bucket: name("jobs"), kind: "test.sum" });
      destroy.push(() => jobs.kv.destroy());
      const first = await jobs.create("job-1", { spec: { batches: 3 }, total: 3 });
      expect(first.created).toBe(true);
      expect(first.record).toMatchObject({
        jobId: "job-1",
        kind: "test.sum",
        state: "queued",
        spec: { batches: 3 },
        progress: { done: 0, total: 3, unit: "batches", counts: {} },
      });
      const again = await jobs.create("job-1", { spec: { batches: 9 }, total: 9 });
      expect(again).toEqual({ created: false, record: first.record });
      expect(checkJobId("a".repeat(MAX_JOB_ID_LENGTH))).toHaveLength(MAX_JOB_ID_LENGTH);
      for (const bad of ["", "a".repeat(MAX_JOB_ID_LENGTH + 1), "has.dot", "has space", "ü"]) {
        await expect(jobs.create(bad, { spec: { batches: 1 } })).rejects.toBeInstanceOf(InputError);
      }
      expect(() => checkJobId("x.y", { file: "<request>", field: "job_id" })).toThrow(
        '<request> (field "job_id"): "x.y" is not a valid job id (1-128 of A-Z a-z 0-9 _ -)',
      );
    });

    it("moves through legal states only, by compare-and-set, and a final state stays", async () => {
      const jobs = await JobStore.open<Spec, Result>(bus, { bucket: name("jobs"), kind: "test.sum" });
      destroy.push(() => jobs.kv.destroy());
      await jobs.create("j", { spec: { batches: 1 }, total: 10, unit: "queries" });
      expect((await jobs.start("j", "reading")).state).toBe("running");
      expect((await jobs.setProgress("j", { done: 4 })).progress).toMatchObject({ done: 4, total: 10 });
      const done = await jobs.succeed("j", { sum: 7 }, { done: 10, message: "done" });
      expect(done).toMatchObject({
        state: "succeeded",
        result: { sum: 7 },
        progress: { done: 10, total: 10, message: "done" },
      });
      // Late calls from redelivered messages change nothing.
      expect(await jobs.fail("j", new Error("late"))).toEqual(done);
      expect(await jobs.cancel("j")).toEqual(done);
      expect(await jobs.countBatch("j", 0)).toEqual(done);
      await expect(jobs.update("j", (r) => ({ ...r, state: "running" }))).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await jobs.get("j")).toEqual(done);
      await expect(jobs.start("nope")).rejects.toBeInstanceOf(NotFoundError);
    });

    it("counts each batch once, however often and however concurrently it is counted", async () => {
      const jobs = await JobStore.open<Spec, Result>(bus, { bucket: name("jobs"), kind: "test.sum" });
      destroy.push(() => jobs.kv.destroy());
      await jobs.create("c", { spec: { batches: 12 }, total: 12 });
      const calls: Promise<unknown>[] = [];
      for (let round = 0; round < 3; round++) {
        for (let batch = 0; batch < 12; batch++) {
          calls.push(jobs.countBatch("c", batch, { items: batch + 1, failed: batch % 2 }));
        }
      }
      await Promise.all(calls);
      const record = await jobs.require("c");
      expect(record.state).toBe("running");
      expect(record.progress.done).toBe(12);
      expect(record.progress.counts).toEqual({ items: 78, failed: 6 });
    }, 30_000);

    it("runs a batched job to success: a batch redelivered after it was recorded counts once", async () => {
      const { jobs, ledger, queue } = await openAll({ ackWaitMs: 5_000, backoff: fastRetry });
      const computed: number[] = [];
      let crashed = false;
      const worker = consumeJobs(queue, {
        jobs,
        jobIdOf: (m) => m.data.jobId,
        async handle(message: Job<BatchMessage>) {
          const { jobId, batch, items } = message.data;
          const run = await runBatch(jobs, ledger, {
            jobId,
            batch,
            compute: async () => {
              computed.push(batch);
              return { sum: items.reduce((a, b) => a + b, 0), items: items.length };
            },
            counts: (output) => ({ items: output.items }),
          });
          // A worker that recorded batch 2 and died before its ack: the bus redelivers it.
          if (batch === 2 && !crashed) {
            crashed = true;
            throw new Error("worker died after recording");
          }
          if (run.complete) {
            const outputs = await ledger.all(jobId, run.record.progress.total);
            await jobs.succeed(jobId, { sum: outputs.reduce((a, o) => a + o.sum, 0) });
          }
        },
      });
      try {
        const batches = [[1, 2], [3], [4, 5, 6], [7], [8, 9], [10]];
        await submit(jobs, queue, "sum-1", batches);
        const seen = await collect(jobs.watch("sum-1"));
        const last = seen[seen.length - 1] as JobRecord<Spec, Result>;
        expect(last.state).toBe("succeeded");
        expect(last.result).toEqual({ sum: 55 });
        expect(last.progress).toMatchObject({ done: 6, total: 6, counts: { items: 10 } });
        const done = seen.map((r) => r.progress.done);
        expect(done).toEqual([...done].sort((a, b) => a - b));
        expect([...computed].sort()).toEqual([0, 1, 2, 3, 4, 5]);
        expect(await waitForJob(jobs.watch("sum-1"))).toEqual(last);
      } finally {
        await worker.stop({ graceMs: 1_000 });
      }
    }, 30_000);

    it("fails a job whose every batch fails, with the last error, and the watch completes", async () => {
      const { jobs, queue } = await openAll({ maxDeliveries: 3, backoff: fastRetry });
      const failed: JobRecord<Spec, Result>[] = [];
      const attempts: number[] = [];
      const worker = consumeJobs(queue, {
        jobs,
        jobIdOf: (m) => m.data.jobId,
        async handle(message) {
          attempts.push(message.deliveryCount);
          throw new Error(`model file missing: /models/nope/model.onnx (batch ${message.data.batch})`);
        },
        onFailed: (record) => failed.push(record),
      });
      try {
        await submit(jobs, queue, "doomed", [[1], [2], [3]]);
        const seen = await collect(jobs.watch("doomed"));
        const last = seen[seen.length - 1] as JobRecord<Spec, Result>;
        expect(last.state).toBe("failed");
        expect(last.error?.code).toBe("INTERNAL");
        expect(last.error?.message).toMatch(/^model file missing: \/models\/nope\/model\.onnx \(batch \d\)$/);
        expect(last.error?.deliveries).toBe(3);
        expect(failed).toHaveLength(1);
        // A caller waiting for the outcome gets the job's error, named.
        const waited = await waitForJob(jobs.watch("doomed")).catch((e: unknown) => e);
        expect(waited).toBeInstanceOf(JobFailedError);
        expect((waited as JobFailedError).code).toBe("INTERNAL");
        expect((waited as JobFailedError).message).toBe(
          `test.sum job "doomed" failed: ${last.error?.message}`,
        );
        // The failure came from the bus's give-up: a delivery that reached the limit.
        expect(Math.max(...attempts)).toBe(3);
        const dead = queue.deadLetters()!;
        await expect.poll(async () => (await dead.stats()).pending, { timeout: 5_000 }).toBeGreaterThan(0);
      } finally {
        await worker.stop({ graceMs: 1_000 });
      }
    }, 30_000);

    it("fails a job at once on a permanent error, with its code", async () => {
      const { jobs, queue } = await openAll({ maxDeliveries: 5, backoff: fastRetry });
      let attempts = 0;
      const worker = consumeJobs(queue, {
        jobs,
        jobIdOf: (m) => m.data.jobId,
        async handle() {
          attempts++;
          throw new InputError({ file: "runs/bm25.run", line: 3, field: "score" }, 'not a number: "x"');
        },
      });
      try {
        await submit(jobs, queue, "bad-input", [[1]]);
        const seen = await collect(jobs.watch("bad-input"));
        expect(seen[seen.length - 1]?.error).toEqual({
          code: "INVALID_INPUT",
          message: 'runs/bm25.run:3 (field "score"): not a number: "x"',
          deliveries: 1,
        });
        expect(attempts).toBe(1);
      } finally {
        await worker.stop({ graceMs: 1_000 });
      }
    }, 30_000);

    it("fails a job whose last allowed delivery never settled (hung worker)", async () => {
      const { jobs, queue } = await openAll({ ackWaitMs: 1_000, maxDeliveries: 1, backoff: fastRetry });
      // Two slots: the first hangs on the message, its redelivery reaches the second.
      const worker = consumeJobs(queue, {
        jobs,
        jobIdOf: (m) => m.data.jobId,
        handle: () => new Promise<void>(() => undefined),
        concurrency: 2,
      });
      try {
        await submit(jobs, queue, "hung", [[1]]);
        const seen = await collect(jobs.watch("hung"));
        const last = seen[seen.length - 1] as JobRecord<Spec, Result>;
        expect(last.state).toBe("failed");
        expect(last.error?.message).toMatch(/no outcome after 1 deliveries/);
        expect(last.error?.deliveries).toBe(2);
      } finally {
        await worker.stop({ graceMs: 0 });
      }
    }, 30_000);

    it("keeps a handler busier than the ack wait on its one delivery with heartbeatMs", async () => {
      const { jobs, queue } = await openAll({ ackWaitMs: 1_000, maxDeliveries: 1, backoff: fastRetry });
      const deliveries: number[] = [];
      let aborted = false;
      // Two slots, as above: a redelivery while the first still works would reach the second.
      const worker = consumeJobs(queue, {
        jobs,
        jobIdOf: (m) => m.data.jobId,
        heartbeatMs: 250,
        concurrency: 2,
        handle: async (message) => {
          deliveries.push(message.deliveryCount);
          // One step of 2.5 ack waits that never calls working() itself (one long LLM call).
          await new Promise((resolve) => setTimeout(resolve, 2_500));
          aborted = message.signal.aborted;
          await jobs.start(message.data.jobId);
          await jobs.succeed(message.data.jobId, { sum: 1 });
        },
      });
      try {
        await submit(jobs, queue, "slow-step", [[1]]);
        const seen = await collect(jobs.watch("slow-step"));
        expect(seen[seen.length - 1]!.state).toBe("succeeded");
        // Past another ack wait: no second delivery came meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(deliveries).toEqual([1]);
        expect(aborted).toBe(false);
      } finally {
        await worker.stop({ graceMs: 1_000 });
      }
    }, 30_000);

    it("cancels a job: its messages are acked without work and the watch ends cancelled", async () => {
      const { jobs, queue } = await openAll({ backoff: fastRetry });
      const handled: number[] = [];
      const skipped: number[] = [];
      await submit(jobs, queue, "cancel-me", [[1], [2], [3]]);
      const watching = collect(jobs.watch("cancel-me"));
      const cancelled = await jobs.cancel("cancel-me", "asked by the user");
      expect(cancelled.state).toBe("cancelled");
      const worker = consumeJobs(queue, {
        jobs,
        jobIdOf: (m) => m.data.jobId,
        handle: async (m) => void handled.push(m.data.batch),
        onSkipped: (_record, m) => skipped.push(m.data.batch),
      });
      try {
        const seen = await watching;
        expect(seen[seen.length - 1]).toMatchObject({
          state: "cancelled",
          error: { code: "CANCELLED", message: "asked by the user" },
        });
        await expect.poll(() => skipped.length, { timeout: 10_000 }).toBe(3);
        expect(handled).toEqual([]);
        expect(await queue.stats()).toEqual({ pending: 0, inFlight: 0 });
      } finally {
        await worker.stop({ graceMs: 1_000 });
      }
    }, 30_000);

    it("watch: NotFoundError for an unknown job; ends when the caller's signal aborts", async () => {
      const jobs = await JobStore.open<Spec, Result>(bus, { bucket: name("jobs"), kind: "test.sum" });
      destroy.push(() => jobs.kv.destroy());
      await expect(collect(jobs.watch("missing"))).rejects.toBeInstanceOf(NotFoundError);
      await jobs.create("w", { spec: { batches: 2 }, total: 2 });
      const controller = new AbortController();
      const seen: JobRecord<Spec, Result>[] = [];
      const watching = (async () => {
        for await (const record of jobs.watch("w", { signal: controller.signal })) {
          seen.push(record);
          if (seen.length === 1) await jobs.countBatch("w", 0);
          if (seen.length === 2) controller.abort();
        }
      })();
      await watching;
      expect(seen.map((r) => [r.state, r.progress.done])).toEqual([
        ["queued", 0],
        ["running", 1],
      ]);
    });
  });
}
