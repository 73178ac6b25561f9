/**
 * FerretError <-> gRPC status, the one place the service edge translates errors.
 *
 * Server side, a thrown FerretError becomes the status its code maps to (status codes chosen per
 * https://grpc.github.io/grpc/core/md_doc_statuscodes.html), with the ferret code in trailing metadata
 * (`ferret-error-code`) and its details as JSON (`ferret-error-details`). Any other error becomes
 * INTERNAL with a fixed message: its text and stack stay in the server log.
 * Client side, fromGrpcError rebuilds the FerretError so callers branch on the same codes everywhere.
 */
import { status as Status, Metadata, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import {
  AlreadyExistsError,
  CancelledError,
  ChecksumMismatchError,
  ConfigError,
  ConflictError,
  FailedPreconditionError,
  FerretError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  TimeoutError,
  UnavailableError,
  UnsupportedError,
  isFerretError,
  type ErrorCode,
  type ErrorOptions,
} from "@ferret/errors";

export const FERRET_ERROR_CODE_KEY = "ferret-error-code";
export const FERRET_ERROR_DETAILS_KEY = "ferret-error-details";

/** Details bigger than this are replaced by `{"truncated":true}`: headers must stay well under 8 KiB. */
const MAX_DETAILS_JSON_LENGTH = 4096;

export const grpcStatusByErrorCode: Readonly<Record<ErrorCode, Status>> = {
  INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  INVALID_INPUT: Status.INVALID_ARGUMENT,
  CONFIG_INVALID: Status.INVALID_ARGUMENT,
  NOT_FOUND: Status.NOT_FOUND,
  ALREADY_EXISTS: Status.ALREADY_EXISTS,
  // A conflict is a failed test-and-set (concurrent KV update): the status code guide's ABORTED,
  // "retry at a higher level" (re-read, then retry), not FAILED_PRECONDITION ("fix the system state first").
  CONFLICT: Status.ABORTED,
  FAILED_PRECONDITION: Status.FAILED_PRECONDITION,
  CHECKSUM_MISMATCH: Status.DATA_LOSS,
  UNAVAILABLE: Status.UNAVAILABLE,
  TIMEOUT: Status.DEADLINE_EXCEEDED,
  CANCELLED: Status.CANCELLED,
  RESOURCE_EXHAUSTED: Status.RESOURCE_EXHAUSTED,
  UNSUPPORTED: Status.UNIMPLEMENTED,
  INTERNAL: Status.INTERNAL,
};

/** For statuses that carry no ferret code (raised by grpc-js itself or a foreign server). */
const errorCodeByGrpcStatus: Partial<Record<Status, ErrorCode>> = {
  [Status.INVALID_ARGUMENT]: "INVALID_ARGUMENT",
  [Status.OUT_OF_RANGE]: "INVALID_ARGUMENT",
  [Status.NOT_FOUND]: "NOT_FOUND",
  [Status.ALREADY_EXISTS]: "ALREADY_EXISTS",
  [Status.ABORTED]: "CONFLICT",
  [Status.FAILED_PRECONDITION]: "FAILED_PRECONDITION",
  [Status.DATA_LOSS]: "CHECKSUM_MISMATCH",
  [Status.UNAVAILABLE]: "UNAVAILABLE",
  [Status.DEADLINE_EXCEEDED]: "TIMEOUT",
  [Status.CANCELLED]: "CANCELLED",
  [Status.RESOURCE_EXHAUSTED]: "RESOURCE_EXHAUSTED",
  [Status.UNIMPLEMENTED]: "UNSUPPORTED",
};

/** InputError is absent: it builds its message from a file location, so INVALID_INPUT comes back as a FerretError. */
const errorClassByCode: Partial<
  Record<ErrorCode, new (message: string, options?: ErrorOptions) => FerretError>
> = {
  INVALID_ARGUMENT: InvalidArgumentError,
  CONFIG_INVALID: ConfigError,
  NOT_FOUND: NotFoundError,
  ALREADY_EXISTS: AlreadyExistsError,
  CONFLICT: ConflictError,
  FAILED_PRECONDITION: FailedPreconditionError,
  CHECKSUM_MISMATCH: ChecksumMismatchError,
  UNAVAILABLE: UnavailableError,
  TIMEOUT: TimeoutError,
  CANCELLED: CancelledError,
  RESOURCE_EXHAUSTED: ResourceExhaustedError,
  UNSUPPORTED: UnsupportedError,
  INTERNAL: InternalError,
};

function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(grpcStatusByErrorCode, value);
}

/** JSON restricted to printable ASCII, as gRPC requires of text metadata values. */
function detailsJson(details: Record<string, unknown>): string | undefined {
  let json: string;
  try {
    json = JSON.stringify(details, (_key, value: unknown) =>
      typeof value === "bigint" ? value.toString() : value,
    );
  } catch {
    return undefined; // cyclic details: the message and code still go out
  }
  json = json.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return json.length > MAX_DETAILS_JSON_LENGTH ? '{"truncated":true}' : json;
}

/** The status a handler's thrown error is answered with (never the stack of a non-Ferret error). */
export function toGrpcStatus(error: unknown): StatusObject {
  const ferret = isFerretError(error) ? error : new InternalError("internal error");
  const metadata = new Metadata();
  metadata.set(FERRET_ERROR_CODE_KEY, ferret.code);
  if (Object.keys(ferret.details).length > 0) {
    const json = detailsJson(ferret.details);
    if (json !== undefined) metadata.set(FERRET_ERROR_DETAILS_KEY, json);
  }
  return { code: grpcStatusByErrorCode[ferret.code], details: ferret.message, metadata };
}

export function isServiceError(error: unknown): error is ServiceError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ServiceError>).code === "number" &&
    (error as Partial<ServiceError>).metadata instanceof Metadata
  );
}

/**
 * The FerretError a failed call stands for: the server's ferret code and details when it sent them,
 * else the code nearest the gRPC status; `cause` keeps the ServiceError.
 */
export function fromGrpcError(error: ServiceError): FerretError {
  const sentCode = error.metadata.get(FERRET_ERROR_CODE_KEY)[0];
  const code =
    typeof sentCode === "string" && isErrorCode(sentCode)
      ? sentCode
      : (errorCodeByGrpcStatus[error.code as Status] ?? "INTERNAL");
  let details: Record<string, unknown> = {};
  const sentDetails = error.metadata.get(FERRET_ERROR_DETAILS_KEY)[0];
  if (typeof sentDetails === "string") {
    try {
      details = JSON.parse(sentDetails) as Record<string, unknown>;
    } catch {
      details = { raw: sentDetails };
    }
  }
  const ErrorClass = errorClassByCode[code];
  const options = { cause: error, details };
  return ErrorClass === undefined
    ? new FerretError(code, error.details, options)
    : new ErrorClass(error.details, options);
}
