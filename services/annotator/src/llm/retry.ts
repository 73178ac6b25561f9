/**
 * Retries transient LLM failures (429, 5xx, timeouts, dropped connections) with exponential backoff and
 * full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015): delay drawn uniformly from
 * [0, min(maxMs, initialMs * 2^(n-1))], so replicas throttled together do not return together. A server's
 * Retry-After is honoured as a lower bound.
 */
import { CancelledError } from "@ferret/errors";
import { LlmCallError } from "./llm-errors.js";

export interface RetryOptions {
  /** Tries in all (first included). Default 5. */
  maxAttempts?: number;
  initialMs?: number;
  maxMs?: number;
  random?: () => number;
  signal?: AbortSignal;
  onRetry?: (err: LlmCallError, attempt: number, delayMs: number) => void;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError("cancelled while waiting to retry"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError("cancelled while waiting to retry"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function retryDelayMs(attempt: number, options: RetryOptions, retryAfterMs?: number): number {
  const initial = options.initialMs ?? 500;
  const cap = options.maxMs ?? 30_000;
  const ceiling = Math.min(cap, initial * 2 ** (attempt - 1));
  const jittered = (options.random ?? Math.random)() * ceiling;
  return Math.max(jittered, Math.min(retryAfterMs ?? 0, cap));
}

export async function withRetries<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof LlmCallError) || !err.retryable || attempt >= maxAttempts) throw err;
      const delay = retryDelayMs(attempt, options, err.retryAfterMs);
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}
