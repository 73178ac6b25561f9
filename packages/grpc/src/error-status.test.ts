import { Metadata, status as Status, type ServiceError } from "@grpc/grpc-js";
import { FerretError, NotFoundError, UnsupportedError, type ErrorCode } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { fromGrpcError, grpcStatusByErrorCode, toGrpcStatus } from "./error-status.js";

function serviceError(code: Status, details: string, metadata = new Metadata()): ServiceError {
  return Object.assign(new Error(`${code} ${Status[code]}: ${details}`), { code, details, metadata });
}

describe("error-status", () => {
  it("maps every ferret code to the status the gRPC status code guide prescribes", () => {
    // The contract from the service-edge design (see error-status.ts for the CONFLICT choice).
    const expected: Record<ErrorCode, Status> = {
      INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
      INVALID_INPUT: Status.INVALID_ARGUMENT,
      CONFIG_INVALID: Status.INVALID_ARGUMENT,
      NOT_FOUND: Status.NOT_FOUND,
      ALREADY_EXISTS: Status.ALREADY_EXISTS,
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
    expect(grpcStatusByErrorCode).toEqual(expected);
  });

  it("keeps metadata printable ASCII and round-trips non-ASCII details", () => {
    const details = { file: "données/qrels.tsv", line: 3 };
    const status = toGrpcStatus(new NotFoundError("missing", { details }));
    const json = status.metadata.get("ferret-error-details")[0] as string;
    expect(json).toMatch(/^[\x20-\x7e]*$/);
    const rebuilt = fromGrpcError(serviceError(status.code, status.details, status.metadata));
    expect(rebuilt).toBeInstanceOf(NotFoundError);
    expect(rebuilt.details).toEqual(details);
  });

  it("truncates details too large for a header", () => {
    const status = toGrpcStatus(
      new FerretError("INVALID_ARGUMENT", "big", { details: { blob: "x".repeat(10_000) } }),
    );
    expect(status.metadata.get("ferret-error-details")).toEqual(['{"truncated":true}']);
  });

  it("derives a ferret code from the status when the server sent none", () => {
    // grpc-js answers an unknown method with UNIMPLEMENTED and no ferret metadata.
    const error = fromGrpcError(
      serviceError(Status.UNIMPLEMENTED, "The server does not implement the method"),
    );
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error.message).toBe("The server does not implement the method");
    expect(fromGrpcError(serviceError(Status.PERMISSION_DENIED, "no")).code).toBe("INTERNAL");
  });
});
