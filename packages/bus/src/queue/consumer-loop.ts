/**
 * A worker: `concurrency` slots, each pulling one delivery and running it to its outcome before
 * pulling the next. Pulling only for a free slot (rather than prefetching a batch) matters for long
 * jobs: a prefetched job's ack wait would run while it sits in a local buffer, and the server would
 * hand it to another replica as if this one had died.
 */
import { setMaxListeners } from "node:events";
import type { Logger } from "@ferret/logging";
import type { Consumer } from "../types.js";
import type { Delivery, QueueTransport } from "./transport.js";

export type RunFn = (delivery: Delivery, cancel: AbortSignal) => Promise<void>;

/** Tracks what a bus must stop on close(). */
export type StopRegistry = Set<Consumer>;

const PULL_ERROR_PAUSE_MS = 1_000;
const DEFAULT_GRACE_MS = 10_000;

export class ConsumerLoop implements Consumer {
  private readonly stopPulling = new AbortController();
  private readonly cancelRunning = new AbortController();
  private readonly slots: Promise<void>[] = [];
  private stopped: Promise<void> | undefined;

  constructor(
    private readonly transport: QueueTransport,
    private readonly run: RunFn,
    concurrency: number,
    private readonly logger: Logger,
    private readonly registry: StopRegistry,
  ) {
    const n = Math.max(1, Math.floor(concurrency));
    // Every slot (and every running job) listens on these two signals.
    setMaxListeners(0, this.stopPulling.signal, this.cancelRunning.signal);
    for (let i = 0; i < n; i++) this.slots.push(this.slot());
    registry.add(this);
  }

  private async slot(): Promise<void> {
    const signal = this.stopPulling.signal;
    while (!signal.aborted) {
      let delivery: Delivery | null;
      try {
        delivery = await this.transport.next(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.logger.warn({ err }, "pull failed; retrying");
        await sleep(PULL_ERROR_PAUSE_MS, signal);
        continue;
      }
      if (delivery === null) continue;
      if (signal.aborted) {
        // Arrived while stopping: give it straight back instead of waiting out its ack wait.
        delivery.nak(0);
        break;
      }
      await this.run(delivery, this.cancelRunning.signal);
    }
  }

  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.stopped ??= (async () => {
      this.stopPulling.abort();
      const all = Promise.all(this.slots);
      const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        all.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.logger.warn(
          { graceMs },
          "handlers still running after the grace period; aborting their signals",
        );
        this.cancelRunning.abort();
      }
      this.registry.delete(this);
    })();
    return this.stopped;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
