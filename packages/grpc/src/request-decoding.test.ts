/**
 * A request the server cannot decode is the caller's fault: INVALID_ARGUMENT with the ferret code, for
 * unary and server-streaming methods, over real gRPC on loopback (grpc-js alone would answer INTERNAL).
 */
import { Client, credentials, status as Status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FERRET_ERROR_CODE_KEY } from "./error-status.js";
import { startGrpcServer, type GrpcServer } from "./server.js";
import { EchoObservations, EchoService, echoService } from "./test-support/echo-service.js";

let server: GrpcServer;
let client: Client;
const observed = new EchoObservations();
const identity = (b: Buffer): Buffer => b;
/** Field 1 (a string) announcing 255 bytes, followed by none: a truncated message. */
const TRUNCATED = Buffer.from([0x0a, 0xff]);

beforeAll(async () => {
  server = await startGrpcServer({ services: [echoService(observed)], host: "127.0.0.1", port: 0 });
  client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await server.shutdown();
});

describe("undecodable requests", () => {
  it("are INVALID_ARGUMENT naming the method, on a unary method", async () => {
    const error = await new Promise<ServiceError | null>((resolve) =>
      client.makeUnaryRequest(EchoService.Say.path, identity, identity, TRUNCATED, (err) => resolve(err)),
    );
    expect(error?.code).toBe(Status.INVALID_ARGUMENT);
    expect(error?.metadata.get(FERRET_ERROR_CODE_KEY)).toEqual(["INVALID_ARGUMENT"]);
    expect(error?.details).toContain(`${EchoService.Say.path}: the request is not a valid message`);
  });

  it("are INVALID_ARGUMENT on a server-streaming method", async () => {
    const stream = client.makeServerStreamRequest(EchoService.Count.path, identity, identity, TRUNCATED);
    stream.on("data", () => undefined);
    const error = await new Promise<ServiceError>((resolve) => stream.on("error", resolve));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.metadata.get(FERRET_ERROR_CODE_KEY)).toEqual(["INVALID_ARGUMENT"]);
  });
});
