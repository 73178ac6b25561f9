/**
 * Bounded concurrency plus a request-rate limit for one replica's LLM calls. Hand-written (a semaphore and
 * a token bucket, ~40 lines) because the two must share one queue: a call waits for a slot, then for a
 * token, so a burst never exceeds `concurrency` in flight nor `ratePerSecond` started per second.
 */

export interface LimiterOptions {
  /** Calls in flight at once. Default 4. */
  concurrency?: number;
  /** Calls started per second (token bucket, burst = max(1, rate)). Default unlimited. */
  ratePerSecond?: number;
}

export class CallLimiter {
  private readonly concurrency: number;
  private readonly rate: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private tokens: number;
  private lastRefill = Date.now();

  constructor(options: LimiterOptions = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.rate = options.ratePerSecond ?? Number.POSITIVE_INFINITY;
    this.tokens = Number.isFinite(this.rate) ? Math.max(1, this.rate) : 0;
  }

  get inFlight(): number {
    return this.active;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      await this.takeToken();
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  private async takeToken(): Promise<void> {
    if (!Number.isFinite(this.rate)) return;
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(
        Math.max(1, this.rate),
        this.tokens + ((now - this.lastRefill) / 1000) * this.rate,
      );
      this.lastRefill = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(((1 - this.tokens) / this.rate) * 1000)));
    }
  }
}
