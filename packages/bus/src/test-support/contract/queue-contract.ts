/** Work-queue contract: crash recovery, dead letters, throughput, backoff, heartbeats, dedup. */
import { AlreadyExistsError, InvalidArgumentError } from "@ferret/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NonRetryableError } from "../../job-errors.js";
import type { Bus, Consumer, Job, QueueOptions, WorkQueue } from "../../types.js";
import { deferred, eventually, sleep, within } from "../waiting.js";
import { type BusHarness, uniqueName } from "./harness.js";

export function describeQueueContract(harness: BusHarness): void {
  describe(`work queues (${harness.kind})`, () => {
    let bus: Bus;
    beforeAll(async () => {
      bus = await harness.createBus();
    });
    afterAll(async () => {
      await bus?.close({ graceMs: 100 });
    });

    /** Opens a queue for one test and removes it (and its dead-letter queue) afterwards. */
    async function withQueue<T>(
      base: string,
      options: QueueOptions,
      body: (queue: WorkQueue<T>, name: string) => Promise<void>,
    ): Promise<void> {
      const name = uniqueName(harness, base);
      const queue = await bus.queue<T>(name, options);
      try {
        await body(queue, name);
      } finally {
        await queue.destroy();
      }
    }

    it("redelivers the job of a worker killed before acking; an idempotent handler applies it once", async () => {
      const ackWaitMs = 2_000;
      const options: QueueOptions = { ackWaitMs, maxDeliveries: 5, backoff: { initialMs: 100, jitter: 0 } };
      const effectsBucket = uniqueName(harness, "effects");
      const effects = await bus.kv<{ by: string; deliveryCount: number }>(effectsBucket, { history: 10 });
      await withQueue<{ shard: number }>("crash", options, async (queue, name) => {
        const doomed = await harness.startDoomedWorker({
          bus,
          queue: name,
          queueOptions: options,
          effectsBucket,
        });
        let survivor: Consumer | undefined;
        try {
          const publishedAt = Date.now();
          const { id } = await queue.publish({ shard: 7 }, { id: "shard-7" });
          expect(await within(10_000, "the doomed worker to record its effect", doomed.effectRecorded)).toBe(
            id,
          );
          await doomed.kill();

          const completed = deferred<Job<{ shard: number }>>();
          let applied = 0;
          survivor = queue.consume(async (job) => {
            try {
              await effects.create(`effect.${job.id}`, { by: "survivor", deliveryCount: job.deliveryCount });
              applied++;
            } catch (err) {
              if (!(err instanceof AlreadyExistsError)) throw err;
            }
            completed.resolve(job);
          });
          const job = await within(ackWaitMs + 8_000, "the redelivered job", completed.promise);
          expect(job.id).toBe("shard-7");
          expect(job.data).toEqual({ shard: 7 });
          expect(job.deliveryCount).toBe(2);
          // Redelivered only after the dead worker's ack wait ran out: its delivery came after the
          // publish, so the redelivery is at least ackWaitMs later (20 ms for timer rounding).
          expect(Date.now() - publishedAt).toBeGreaterThanOrEqual(ackWaitMs - 20);

          // Exactly one effect: one key, written once (history would show a second write), by the doomed worker.
          expect(applied).toBe(0);
          expect(await effects.keys("effect.>")).toEqual(["effect.shard-7"]);
          expect((await effects.get("effect.shard-7"))?.value.by).toBe("doomed-worker");
          await eventually(5_000, "the acked job to leave the queue", async () => {
            const s = await queue.stats();
            return s.pending === 0 && s.inFlight === 0;
          });
        } finally {
          await survivor?.stop({ graceMs: 1_000 });
          await doomed.dispose();
          await effects.destroy();
        }
      });
    }, 30_000);

    it("dead-letters a poison job after maxDeliveries with its original payload, reason and count", async () => {
      const options: QueueOptions = {
        maxDeliveries: 3,
        backoff: { initialMs: 50, factor: 2, maxMs: 200, jitter: 0 },
      };
      await withQueue<{ doc: string; n: number }>("poison", options, async (queue, name) => {
        const original = { doc: "d-1", n: 42 };
        const attempts: number[] = [];
        const worker = queue.consume(async (job) => {
          attempts.push(job.deliveryCount);
          throw new Error(`cannot parse ${job.data.doc}`);
        });
        const dead = deferred<Job<{ doc: string; n: number }>>();
        const dlqWorker = queue.deadLetters()!.consume(async (job) => dead.resolve(job));
        try {
          await queue.publish(original, { id: "poison-1" });
          const letter = await within(10_000, "the dead letter", dead.promise);
          expect(attempts).toEqual([1, 2, 3]);
          expect(letter.id).toBe("poison-1");
          expect(letter.data).toEqual(original);
          expect(letter.deadLetter?.queue).toBe(name);
          expect(letter.deadLetter?.reason).toBe("cannot parse d-1");
          expect(letter.deadLetter?.deliveryCount).toBe(3);
          // Terminated, not looping: no fourth attempt, and the queue is empty.
          await sleep(500);
          expect(attempts).toEqual([1, 2, 3]);
          expect(await queue.stats()).toEqual({ pending: 0, inFlight: 0 });
        } finally {
          await worker.stop();
          await dlqWorker.stop();
        }
      });
    }, 20_000);

    it("calls onGiveUp once with the last error before dead-lettering an exhausted job", async () => {
      const options: QueueOptions = { maxDeliveries: 2, backoff: { initialMs: 20, factor: 1, jitter: 0 } };
      await withQueue<{ doc: string }>("give-up", options, async (queue) => {
        const givenUp: { id: string; data: unknown; reason: string; error: unknown; deliveries: number }[] =
          [];
        const dead = deferred<Job<{ doc: string }>>();
        const worker = queue.consume(
          async (job) => {
            throw new Error(`backend down for ${job.data.doc} (delivery ${job.deliveryCount})`);
          },
          {
            onGiveUp: (job, info) => {
              givenUp.push({
                id: job.id,
                data: job.data,
                reason: info.reason,
                error: info.error,
                deliveries: info.deliveryCount,
              });
            },
          },
        );
        const dlqWorker = queue.deadLetters()!.consume(async (job) => dead.resolve(job));
        try {
          await queue.publish({ doc: "d-7" }, { id: "give-up-1" });
          const letter = await within(10_000, "the dead letter", dead.promise);
          expect(givenUp).toHaveLength(1);
          expect(givenUp[0]).toMatchObject({
            id: "give-up-1",
            data: { doc: "d-7" },
            reason: "backend down for d-7 (delivery 2)",
            deliveries: 2,
          });
          expect((givenUp[0]!.error as Error).message).toBe("backend down for d-7 (delivery 2)");
          expect(letter.deadLetter?.reason).toBe("backend down for d-7 (delivery 2)");
        } finally {
          await worker.stop();
          await dlqWorker.stop();
        }
      });
    }, 20_000);

    it("retries a job whose onGiveUp hook rejected, and calls the hook again before dead-lettering", async () => {
      const options: QueueOptions = { maxDeliveries: 1, backoff: { initialMs: 20, factor: 1, jitter: 0 } };
      await withQueue<string>("give-up-retry", options, async (queue) => {
        const calls: { error: unknown; deliveries: number }[] = [];
        const dead = deferred<Job<string>>();
        const worker = queue.consume(
          async () => {
            throw new NonRetryableError("model file missing");
          },
          {
            onGiveUp: (_job, info) => {
              calls.push({ error: info.error, deliveries: info.deliveryCount });
              if (calls.length === 1) throw new Error("job store unreachable");
            },
          },
        );
        const dlqWorker = queue.deadLetters()!.consume(async (job) => dead.resolve(job));
        try {
          await queue.publish("m");
          const letter = await within(10_000, "the dead letter", dead.promise);
          expect(calls.map((c) => c.deliveries)).toEqual([1, 2]);
          expect((calls[0]!.error as Error).message).toBe("model file missing");
          // The second delivery exceeds the limit before running: no handler call, so no error.
          expect(calls[1]!.error).toBeUndefined();
          expect(letter.deadLetter?.deliveryCount).toBe(2);
        } finally {
          await worker.stop();
          await dlqWorker.stop();
        }
      });
    }, 20_000);

    it("dead-letters a job whose last allowed delivery never settled (hung or dead worker)", async () => {
      await withQueue<string>("hung", { ackWaitMs: 1_000, maxDeliveries: 1 }, async (queue) => {
        let calls = 0;
        // Two slots: the first hangs forever on the job; the redelivery lands on the second.
        const worker = queue.consume(
          async () => {
            calls++;
            await new Promise(() => {});
          },
          { concurrency: 2 },
        );
        const dead = deferred<Job<string>>();
        const dlqWorker = queue.deadLetters()!.consume(async (job) => dead.resolve(job));
        try {
          await queue.publish("stuck", { id: "stuck-1" });
          const letter = await within(10_000, "the dead letter", dead.promise);
          expect(calls).toBe(1);
          expect(letter.data).toBe("stuck");
          expect(letter.deadLetter?.reason).toMatch(/no outcome after 1 deliveries/);
          expect(letter.deadLetter?.deliveryCount).toBe(2);
          await eventually(5_000, "the queue to empty", async () => (await queue.stats()).pending === 0);
        } finally {
          await worker.stop({ graceMs: 0 });
          await dlqWorker.stop();
        }
      });
    }, 20_000);

    it("dead-letters at once on a NonRetryableError, keeping a binary payload byte for byte", async () => {
      await withQueue<Uint8Array>("permanent", { maxDeliveries: 5 }, async (queue) => {
        const payload = new Uint8Array([0, 255, 1, 254, 10, 13]);
        let attempts = 0;
        const worker = queue.consume(async () => {
          attempts++;
          throw new NonRetryableError("unsupported model format");
        });
        const dead = deferred<Job<Uint8Array>>();
        const dlqWorker = queue.deadLetters()!.consume(async (job) => dead.resolve(job));
        try {
          await queue.publish(payload);
          const letter = await within(10_000, "the dead letter", dead.promise);
          expect(attempts).toBe(1);
          expect(letter.data).toBeInstanceOf(Uint8Array);
          expect([...letter.data]).toEqual([...payload]);
          expect(letter.deadLetter?.reason).toBe("unsupported model format");
          expect(letter.deadLetter?.deliveryCount).toBe(1);
        } finally {
          await worker.stop();
          await dlqWorker.stop();
        }
      });
    }, 20_000);

    it("processes 10,000 jobs across 4 consumers with none lost or run twice", async () => {
      const total = 10_000;
      await withQueue<{ i: number }>("bulk", {}, async (queue, name) => {
        const publishStart = Date.now();
        for (let start = 0; start < total; start += 1_000) {
          await Promise.all(
            Array.from({ length: Math.min(1_000, total - start) }, (_, k) =>
              queue.publish({ i: start + k }, { id: `job-${start + k}` }),
            ),
          );
        }
        const publishMs = Date.now() - publishStart;

        const replicas = [bus, ...(await Promise.all([1, 2, 3].map(() => harness.replica(bus))))];
        const seen = new Map<number, number>();
        const perConsumer = [0, 0, 0, 0];
        const consumeStart = Date.now();
        const consumers = await Promise.all(
          replicas.map(async (replica, c) => {
            const q = await replica.queue<{ i: number }>(name);
            return q.consume(
              async (job) => {
                seen.set(job.data.i, (seen.get(job.data.i) ?? 0) + 1);
                perConsumer[c]!++;
              },
              { concurrency: 16 },
            );
          }),
        );
        try {
          await eventually(60_000, `${total} jobs`, () => seen.size === total);
          const consumeMs = Date.now() - consumeStart;
          const missing = Array.from({ length: total }, (_, i) => i).filter((i) => !seen.has(i));
          expect(missing).toEqual([]);
          expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
          expect(perConsumer.every((n) => n > 0)).toBe(true);
          expect(perConsumer.reduce((a, b) => a + b, 0)).toBe(total);
          await eventually(5_000, "acks to land", async () => (await queue.stats()).inFlight === 0);
          expect(await queue.stats()).toEqual({ pending: 0, inFlight: 0 });
          // Reported by the test run for the record; not asserted (machine-dependent).
          process.stderr.write(
            `[bus ${harness.kind}] 10k jobs: publish ${publishMs} ms, consume ${consumeMs} ms, per consumer ${perConsumer.join("/")}\n`,
          );
        } finally {
          await Promise.all(consumers.map((c) => c.stop()));
          await Promise.all(replicas.filter((r) => r !== bus).map((r) => r.close()));
        }
      });
    }, 90_000);

    it("waits out the nak backoff before redelivering (exponential: 500 ms, then 1000 ms)", async () => {
      const options: QueueOptions = {
        maxDeliveries: 3,
        backoff: { initialMs: 500, factor: 2, maxMs: 5_000, jitter: 0 },
      };
      await withQueue<string>("backoff", options, async (queue) => {
        const starts: number[] = [];
        const failedAt: number[] = [];
        const done = deferred<void>();
        const worker = queue.consume(async (job) => {
          starts.push(Date.now());
          if (job.deliveryCount < 3) {
            failedAt.push(Date.now());
            throw new Error("transient");
          }
          done.resolve();
        });
        try {
          await queue.publish("x");
          await within(10_000, "the third delivery", done.promise);
          const gaps = [starts[1]! - failedAt[0]!, starts[2]! - failedAt[1]!];
          // Never before the delay (a few ms of timer rounding allowed), and not wildly after it.
          expect(gaps[0]).toBeGreaterThanOrEqual(500 - 5);
          expect(gaps[1]).toBeGreaterThanOrEqual(1_000 - 5);
          expect(gaps[0]).toBeLessThan(500 + 1_500);
          expect(gaps[1]).toBeLessThan(1_000 + 1_500);
        } finally {
          await worker.stop();
        }
      });
    }, 20_000);

    it("keeps a long job that calls working() from being redelivered past the ack wait", async () => {
      await withQueue<string>("heartbeat", { ackWaitMs: 1_500 }, async (queue) => {
        const deliveries: number[] = [];
        let aborted = false;
        const done = deferred<void>();
        const worker = queue.consume(
          async (job) => {
            deliveries.push(job.deliveryCount);
            // Twice the ack wait in total, with a heartbeat every 250 ms.
            for (let t = 0; t < 3_000; t += 250) {
              await sleep(250);
              job.working();
            }
            aborted = job.signal.aborted;
            done.resolve();
          },
          { concurrency: 2 },
        );
        try {
          await queue.publish("long");
          await within(10_000, "the long job", done.promise);
          await sleep(300);
          expect(deliveries).toEqual([1]);
          expect(aborted).toBe(false);
        } finally {
          await worker.stop();
        }
      });
    }, 20_000);

    it("aborts the signal of a handler that exceeds the ack wait without working()", async () => {
      await withQueue<string>("deadline", { ackWaitMs: 1_000 }, async (queue) => {
        const reason = deferred<unknown>();
        const second = deferred<number>();
        const worker = queue.consume(
          async (job) => {
            if (job.deliveryCount > 1) return second.resolve(job.deliveryCount);
            await new Promise<void>((resolve) =>
              job.signal.addEventListener("abort", () => {
                reason.resolve(job.signal.reason);
                resolve();
              }),
            );
            throw new Error("gave up");
          },
          { concurrency: 2 },
        );
        try {
          await queue.publish("slow");
          expect(String(await within(5_000, "the abort", reason.promise))).toMatch(/ack wait of 1000 ms/);
          expect(await within(10_000, "the redelivery", second.promise)).toBe(2);
        } finally {
          await worker.stop();
        }
      });
    }, 20_000);

    it("aborts a handler whose working() comes after the ack wait (its event loop was held)", async () => {
      await withQueue<string>("late", { ackWaitMs: 1_000 }, async (queue) => {
        const seen = deferred<{ aborted: boolean; reason: unknown }>();
        const worker = queue.consume(
          async (job) => {
            if (job.deliveryCount > 1) return;
            // Synchronous work past the ack wait: no timer can run meanwhile.
            const until = Date.now() + 1_500;
            while (Date.now() < until);
            job.working();
            seen.resolve({ aborted: job.signal.aborted, reason: job.signal.reason });
          },
          { concurrency: 2 },
        );
        try {
          await queue.publish("held");
          const { aborted, reason } = await within(5_000, "the late working()", seen.promise);
          expect(aborted).toBe(true);
          expect(String(reason)).toMatch(/ack wait of 1000 ms/);
        } finally {
          await worker.stop();
        }
      });
    }, 20_000);

    it("drops a second publish with the same id inside the dedup window", async () => {
      await withQueue<{ v: number }>("dedup", {}, async (queue) => {
        expect(await queue.publish({ v: 1 }, { id: "same" })).toEqual({ id: "same", duplicate: false });
        expect(await queue.publish({ v: 2 }, { id: "same" })).toEqual({ id: "same", duplicate: true });
        expect(await queue.stats()).toEqual({ pending: 1, inFlight: 0 });
        const got = deferred<unknown>();
        const worker = queue.consume(async (job) => got.resolve(job.data));
        try {
          expect(await within(5_000, "the job", got.promise)).toEqual({ v: 1 });
        } finally {
          await worker.stop();
        }
      });
    }, 20_000);

    it("rejects payloads over the bus limit and names the way out", async () => {
      await withQueue<string>("big", {}, async (queue) => {
        const big = "x".repeat(1024 * 1024);
        await expect(queue.publish(big)).rejects.toThrow(InvalidArgumentError);
        await expect(queue.publish(big)).rejects.toThrow(/object store/);
      });
    });

    it("rejects queue names that are not valid stream names", async () => {
      await expect(bus.queue("a.b")).rejects.toThrow(/queue name "a.b"/);
    });
  });
}
