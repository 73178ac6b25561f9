/**
 * Every failure Ferret reports on purpose is a FerretError with a stable `code`.
 * The code, not the message, is what callers branch on; the service edge maps it
 * to a gRPC status (see @ferret/grpc).
 */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_INPUT"
  | "CONFIG_INVALID"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "CONFLICT"
  | "FAILED_PRECONDITION"
  | "CHECKSUM_MISMATCH"
  | "UNAVAILABLE"
  | "TIMEOUT"
  | "CANCELLED"
  | "RESOURCE_EXHAUSTED"
  | "UNSUPPORTED"
  | "INTERNAL";

export interface ErrorOptions {
  cause?: unknown;
  /** Structured context (file, line, field, key…) for logs and clients. */
  details?: Record<string, unknown>;
}

export class FerretError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isFerretError(err: unknown): err is FerretError {
  return err instanceof FerretError;
}
