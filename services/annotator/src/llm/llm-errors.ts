import { FerretError, type ErrorOptions } from "@ferret/errors";

/**
 * A failed LLM call. `retryable` marks the transient kinds (HTTP 429, 5xx, timeouts, dropped
 * connections) that retry.ts retries with backoff; `retryAfterMs` carries a server's Retry-After.
 */
export class LlmCallError extends FerretError {
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    init: { retryable: boolean; status?: number; retryAfterMs?: number },
    options?: ErrorOptions,
  ) {
    super(init.retryable ? "UNAVAILABLE" : "INVALID_ARGUMENT", message, options);
    this.retryable = init.retryable;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export function isRetryableLlmError(err: unknown): boolean {
  return err instanceof LlmCallError && err.retryable;
}
