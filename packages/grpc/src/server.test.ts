import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { status as Status, type ServiceDefinition } from "@grpc/grpc-js";
import { CancelledError, FerretError, TimeoutError, type ErrorCode } from "@ferret/errors";
import { service as healthService } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type ServiceClient } from "./client.js";
import { isServiceError } from "./error-status.js";
import { startGrpcServer, type GrpcServer } from "./server.js";
import {
  EchoObservations,
  EchoService,
  echoDescriptorSet,
  echoService,
  sayRequest,
} from "./test-support/echo-service.js";
import { reflect } from "./test-support/reflection-client.js";

let server: GrpcServer;
let address: string;
let echo: ServiceClient<typeof EchoService>;
let health: ServiceClient<ServiceDefinition>;
const observed = new EchoObservations();

beforeAll(async () => {
  server = await startGrpcServer({
    services: [echoService(observed)],
    host: "127.0.0.1",
    port: 0,
    descriptorSets: [echoDescriptorSet],
  });
  address = `127.0.0.1:${server.port}`;
  echo = createClient(EchoService, address, { retry: false, deadlineMs: 5000 });
  health = createClient(healthService, address, { retry: false, deadlineMs: 5000 });
});

afterAll(async () => {
  echo.close();
  health.close();
  await server.shutdown();
});

/** The raw gRPC error behind a FerretError the client rejected with. */
async function grpcFailure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => expect.fail("call succeeded"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FerretError);
  const cause = (error as FerretError).cause;
  if (!isServiceError(cause)) return expect.fail("no ServiceError cause");
  return { error: error as FerretError, cause };
}

describe("startGrpcServer", () => {
  it("answers a unary call on the bound port", async () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.serviceNames).toEqual(["ferret.test.v1.Echo"]);
    await expect(echo.Say(sayRequest({ message: "hello" }))).resolves.toEqual({
      message: "hello",
      sequence: 0,
    });
  });

  it("reports SERVING over grpc.health.v1 for the server and each service", async () => {
    await expect(health["Check"]!({ service: "" })).resolves.toEqual({ status: "SERVING" });
    await expect(health["Check"]!({ service: "ferret.test.v1.Echo" })).resolves.toEqual({
      status: "SERVING",
    });
  });

  it.each(["v1", "v1alpha"] as const)("lists and describes services over reflection %s", async (version) => {
    const [listed, described] = await reflect(address, version, [
      { listServices: "*" },
      { fileContainingSymbol: "ferret.test.v1.Echo" },
    ]);
    const names = listed?.listServicesResponse?.service.map((s) => s.name).sort();
    expect(names).toEqual(["ferret.test.v1.Echo", "grpc.health.v1.Health"]);
    const files = (described?.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) =>
      fromBinary(FileDescriptorProtoSchema, bytes),
    );
    const methods = files.flatMap((file) => file.service).flatMap((s) => s.method.map((m) => m.name));
    expect(methods).toEqual(["Say", "Record", "Count"]);
  });

  it("serves buf's descriptors of proto/ferret by their file names", async () => {
    const [found] = await reflect(address, "v1", [{ fileContainingSymbol: "ferret.v1.JobStatus" }]);
    const names = (found?.fileDescriptorResponse?.fileDescriptorProto ?? []).map(
      (bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name,
    );
    expect(names).toEqual(
      expect.arrayContaining(["ferret/v1/common.proto", "google/protobuf/timestamp.proto"]),
    );
  });

  it("describes grpc.health.v1 with protoc's map entry names, as grpcurl requires", async () => {
    const [found] = await reflect(address, "v1", [{ fileContainingSymbol: "grpc.health.v1.Health" }]);
    const files = (found?.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) =>
      fromBinary(FileDescriptorProtoSchema, bytes),
    );
    const listResponse = files.flatMap((f) => f.messageType).find((m) => m.name === "HealthListResponse");
    // protoc names the entry of map field `statuses` "StatusesEntry" (descriptor.proto, MessageOptions.map_entry).
    expect(listResponse?.nestedType.map((n) => n.name)).toEqual(["StatusesEntry"]);
    expect(listResponse?.field[0]?.typeName).toMatch(/(^|\.)StatusesEntry$/);
  });

  it("answers DEADLINE_EXCEEDED and aborts the handler's signal when the deadline passes", async () => {
    const before = observed.abortReasons.length;
    const started = Date.now();
    const { error, cause } = await grpcFailure(echo.Say(sayRequest({ delayMs: 3000 }), { deadlineMs: 150 }));
    expect(cause.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect.poll(() => observed.abortReasons.length).toBe(before + 1);
    expect(observed.abortReasons.at(-1)).toBeInstanceOf(TimeoutError);
  });

  // Expected statuses: the mapping the service edge promises (error-status.ts), per the gRPC status code guide.
  it.each<[ErrorCode, Status]>([
    ["NOT_FOUND", Status.NOT_FOUND],
    ["INVALID_INPUT", Status.INVALID_ARGUMENT],
    ["CONFLICT", Status.ABORTED],
    ["FAILED_PRECONDITION", Status.FAILED_PRECONDITION],
    ["CHECKSUM_MISMATCH", Status.DATA_LOSS],
    ["UNSUPPORTED", Status.UNIMPLEMENTED],
    ["RESOURCE_EXHAUSTED", Status.RESOURCE_EXHAUSTED],
  ])("maps a thrown %s to status %i with the ferret code and details in trailers", async (code, grpcCode) => {
    const { error, cause } = await grpcFailure(echo.Say(sayRequest({ failCode: code })));
    expect(cause.code).toBe(grpcCode);
    expect(cause.details).toBe(`echo failed with ${code}`);
    expect(cause.metadata.get("ferret-error-code")).toEqual([code]);
    const json = cause.metadata.get("ferret-error-details")[0] as string;
    expect(JSON.parse(json)).toEqual({ requested: code, note: "naïve ✓" });
    expect(error.code).toBe(code);
    expect(error.message).toBe(`echo failed with ${code}`);
    expect(error.details).toEqual({ requested: code, note: "naïve ✓" });
  });

  it("answers INTERNAL without the message or stack of a non-Ferret error", async () => {
    const { error, cause } = await grpcFailure(echo.Say(sayRequest({ failCode: "CRASH" })));
    expect(cause.code).toBe(Status.INTERNAL);
    expect(cause.details).toBe("internal error");
    expect(JSON.stringify(cause.metadata.getMap())).not.toContain("secret");
    expect(error.code).toBe("INTERNAL");
  });

  it("streams server messages in order", async () => {
    const received: number[] = [];
    for await (const message of echo.Count(sayRequest({ count: 3 }))) received.push(message.sequence);
    expect(received).toEqual([1, 2, 3]);
  });

  it("fails a stream with the mapped status after the messages already sent", async () => {
    const received: number[] = [];
    const failure = await (async () => {
      for await (const message of echo.Count(sayRequest({ count: 3, failCode: "NOT_FOUND" }))) {
        received.push(message.sequence);
      }
    })().catch((e: unknown) => e);
    expect(received).toEqual([1]);
    expect((failure as FerretError).code).toBe("NOT_FOUND");
  });

  it("cancels the server side of a stream the client stops reading", async () => {
    const before = observed.abortReasons.length;
    for await (const message of echo.Count(sayRequest({ count: 100, delayMs: 20 }))) {
      if (message.sequence === 2) break;
    }
    await expect.poll(() => observed.abortReasons.length).toBe(before + 1);
    expect(observed.abortReasons.at(-1)).toBeInstanceOf(CancelledError);
    await expect.poll(() => server.inFlightCalls).toBe(0);
  });
});
