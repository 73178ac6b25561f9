/**
 * A batch's view of the outcome cache, so that the bus sees few, grouped operations instead of two
 * scattered round trips per item (the NATS client sends the requests made in one tick as one socket
 * write, and a socket write is the largest single cost in bench/annotate's profile):
 * - reads of the keys known before the batch starts (every item's first step) are issued together
 *   (`prefetch`);
 * - writes are group-committed: buffered and sent together once `maxPending` wait or `maxDelayMs` has
 *   passed since the first, and the rest (`flush`) together with the batch's labels.
 * A worker killed mid-batch thus loses at most the answers of its last `maxDelayMs` (those items are
 * asked again by the batch's next delivery), never a stored label; a write that fails fails the batch
 * at `flush`, which is then redelivered.
 */
import type { CachedOutcome, OutcomeCache } from "../label-cache.js";

export interface BatchCacheOptions {
  /** Default 16. */
  maxPending?: number;
  /** Default 100 ms. */
  maxDelayMs?: number;
}

export class BatchCache implements OutcomeCache {
  private readonly reads = new Map<string, Promise<CachedOutcome | undefined>>();
  /** Written in this batch (pending or sent): a later read of the same key needs no round trip. */
  private readonly written = new Map<string, CachedOutcome>();
  private pending: [string, CachedOutcome][] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void>[] = [];
  private failure: unknown;
  private readonly maxPending: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly inner: OutcomeCache,
    options: BatchCacheOptions = {},
  ) {
    this.maxPending = options.maxPending ?? 16;
    this.maxDelayMs = options.maxDelayMs ?? 100;
  }

  prefetch(keys: Iterable<string>): void {
    for (const key of keys) {
      if (this.reads.has(key)) continue;
      const read = this.inner.get(key);
      // Handled here so an unused prefetch that fails is not an unhandled rejection; `get` rethrows it.
      read.catch(() => undefined);
      this.reads.set(key, read);
    }
  }

  async get(key: string): Promise<CachedOutcome | undefined> {
    const local = this.written.get(key);
    if (local) return local;
    const read = this.reads.get(key);
    if (read) {
      this.reads.delete(key);
      return read;
    }
    return this.inner.get(key);
  }

  async put(key: string, outcome: CachedOutcome): Promise<void> {
    this.written.set(key, outcome);
    this.pending.push([key, outcome]);
    if (this.pending.length >= this.maxPending) this.send();
    else this.timer ??= setTimeout(() => this.send(), this.maxDelayMs);
  }

  /** Sends what is pending and waits for every write of the batch; throws the first write failure. */
  async flush(): Promise<void> {
    this.send();
    await Promise.all(this.inFlight);
    this.inFlight = [];
    if (this.failure !== undefined) throw this.failure;
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const writes = this.pending;
    this.pending = [];
    this.inFlight.push(
      Promise.all(writes.map(([key, outcome]) => this.inner.put(key, outcome))).then(
        () => undefined,
        (err: unknown) => {
          this.failure ??= err;
        },
      ),
    );
  }
}
