export { FerretError, isFerretError } from "./ferret-error.js";
export type { ErrorCode, ErrorOptions } from "./ferret-error.js";
export {
  AlreadyExistsError,
  CancelledError,
  ChecksumMismatchError,
  ConfigError,
  ConflictError,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  TimeoutError,
  UnavailableError,
  UnsupportedError,
} from "./kinds.js";
export { InputError } from "./input-error.js";
export type { InputLocation } from "./input-error.js";
