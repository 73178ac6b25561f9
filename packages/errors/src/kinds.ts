import { FerretError, type ErrorOptions } from "./ferret-error.js";

/** A caller sent something that can never succeed as sent (bad field, unknown measure…). */
export class InvalidArgumentError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("INVALID_ARGUMENT", message, options);
  }
}

/** A configuration key is missing or malformed; `details.key` names it. */
export class ConfigError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("CONFIG_INVALID", message, options);
  }
}

export class NotFoundError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("NOT_FOUND", message, options);
  }
}

export class AlreadyExistsError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("ALREADY_EXISTS", message, options);
  }
}

/** Stored state disagrees with the request (e.g. a concurrent KV update). */
export class ConflictError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("CONFLICT", message, options);
  }
}

/** The system is not in the state the call needs (a pipeline stage whose upstream stages have not finished); `details` says what is missing. */
export class FailedPreconditionError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("FAILED_PRECONDITION", message, options);
  }
}

export class ChecksumMismatchError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("CHECKSUM_MISMATCH", message, options);
  }
}

/** A dependency (NATS, OpenSearch, an LLM endpoint) cannot be reached right now; retrying may help. */
export class UnavailableError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("UNAVAILABLE", message, options);
  }
}

export class TimeoutError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("TIMEOUT", message, options);
  }
}

export class CancelledError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("CANCELLED", message, options);
  }
}

export class ResourceExhaustedError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("RESOURCE_EXHAUSTED", message, options);
  }
}

export class UnsupportedError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("UNSUPPORTED", message, options);
  }
}

export class InternalError extends FerretError {
  constructor(message: string, options?: ErrorOptions) {
    super("INTERNAL", message, options);
  }
}
