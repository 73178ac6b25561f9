/**
 * How a handler says "retrying cannot help": throw NonRetryableError (or an error Ferret already
 * knows to be permanent, e.g. an InputError for malformed user data) and the job is dead-lettered
 * at once instead of burning its remaining deliveries.
 */
import { FerretError, isFerretError, type ErrorCode, type ErrorOptions } from "@ferret/errors";

export class NonRetryableError extends FerretError {
  /** `code` defaults to the code of a FerretError cause, else INVALID_ARGUMENT. */
  constructor(message: string, options: ErrorOptions & { code?: ErrorCode } = {}) {
    const code = options.code ?? (isFerretError(options.cause) ? options.cause.code : "INVALID_ARGUMENT");
    super(code, message, options);
  }
}

/** Codes whose failures repeat identically on every retry (bad input, bad config, unsupported). */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  "INVALID_ARGUMENT",
  "INVALID_INPUT",
  "CONFIG_INVALID",
  "UNSUPPORTED",
]);

export function isRetryable(err: unknown): boolean {
  if (err instanceof NonRetryableError) return false;
  return !(isFerretError(err) && PERMANENT.has(err.code));
}

/** One line, bounded: the dead-letter reason travels in a message header. */
export function reasonOf(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  const line = text.replace(/[\r\n]+/g, " | ").replace(/\p{Cc}/gu, " ");
  return line.length > 1000 ? `${line.slice(0, 997)}...` : line;
}
