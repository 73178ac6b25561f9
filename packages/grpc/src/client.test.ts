import { setTimeout as delay } from "node:timers/promises";
import { CancelledError, InvalidArgumentError, UnavailableError } from "@ferret/errors";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "./client.js";
import { startGrpcServer, type GrpcServer } from "./server.js";
import {
  EchoObservations,
  EchoService,
  echoDescriptorSet,
  echoService,
  sayRequest,
} from "./test-support/echo-service.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startEcho(port = 0): Promise<{ server: GrpcServer; observed: EchoObservations }> {
  const observed = new EchoObservations();
  const server = await startGrpcServer({ services: [echoService(observed)], host: "127.0.0.1", port });
  cleanups.push(() => server.shutdown());
  return { server, observed };
}

/** A loopback port nothing listens on (a server bound it, then closed). */
async function closedPort(): Promise<number> {
  const server = await startGrpcServer({
    services: [echoService(new EchoObservations())],
    host: "127.0.0.1",
  });
  await server.shutdown();
  return server.port;
}

function echoClient(address: string, options: Parameters<typeof createClient<typeof EchoService>>[2] = {}) {
  // Say and Count are idempotent in echo.proto (idempotency_level); Record is not.
  const client = createClient(EchoService, address, { descriptorSets: [echoDescriptorSet], ...options });
  cleanups.push(() => client.close());
  return client;
}

const fastRetry = { initialBackoffMs: 50, maxBackoffMs: 200, maxAttempts: 8 };
// Reconnect as eagerly as we retry; grpc-js would otherwise wait ~1 s before redialling a refused address.
const fastReconnect = { "grpc.initial_reconnect_backoff_ms": 50, "grpc.max_reconnect_backoff_ms": 200 };

describe("createClient", () => {
  it("fails fast with UNAVAILABLE when nothing listens and retries are off", async () => {
    const port = await closedPort();
    const client = echoClient(`127.0.0.1:${port}`, { retry: false, channelOptions: fastReconnect });
    const started = Date.now();
    await expect(client.Say(sayRequest({}))).rejects.toBeInstanceOf(UnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("retries an idempotent call through UNAVAILABLE until the server is up", async () => {
    const port = await closedPort();
    const client = echoClient(`127.0.0.1:${port}`, { retry: fastRetry });
    const call = client.Say(sayRequest({ message: "eventually" }), { deadlineMs: 5000 });
    // The first attempts are refused (the test above shows they fail fast); then the server comes up.
    await delay(300);
    const { observed } = await startEcho(port);
    await expect(call).resolves.toEqual({ message: "eventually", sequence: 0 });
    expect(observed.calls).toEqual(["Say"]);
  });

  it("retries an idempotent method the server answers UNAVAILABLE, up to maxAttempts", async () => {
    const { server, observed } = await startEcho();
    const client = echoClient(`127.0.0.1:${server.port}`, { retry: { ...fastRetry, maxAttempts: 3 } });
    await expect(client.Say(sayRequest({ failCode: "UNAVAILABLE" }))).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect(observed.calls).toEqual(["Say", "Say", "Say"]);
  });

  it("never retries a method that is not idempotent unless asked", async () => {
    const { server, observed } = await startEcho();
    const client = echoClient(`127.0.0.1:${server.port}`, { retry: fastRetry });
    await expect(client.Record(sayRequest({ failCode: "UNAVAILABLE" }))).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect(observed.calls).toEqual(["Record"]);

    const asked = echoClient(`127.0.0.1:${server.port}`, {
      retry: { ...fastRetry, maxAttempts: 2, methods: ["Record"] },
    });
    await expect(asked.Record(sayRequest({ failCode: "UNAVAILABLE" }))).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect(observed.calls).toEqual(["Record", "Record", "Record"]);
  });

  it("does not retry INVALID_ARGUMENT", async () => {
    const { server, observed } = await startEcho();
    const client = echoClient(`127.0.0.1:${server.port}`, { retry: fastRetry });
    await expect(client.Say(sayRequest({ failCode: "INVALID_ARGUMENT" }))).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(observed.calls).toEqual(["Say"]);
  });

  it("cancels a call when its signal aborts", async () => {
    const { server, observed } = await startEcho();
    const client = echoClient(`127.0.0.1:${server.port}`);
    const controller = new AbortController();
    const call = client.Say(sayRequest({ delayMs: 5000 }), { signal: controller.signal });
    await expect.poll(() => server.inFlightCalls).toBe(1);
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(CancelledError);
    await expect.poll(() => observed.abortReasons.length).toBe(1);
    expect(observed.abortReasons[0]).toBeInstanceOf(CancelledError);
  });

  it("waitForReady resolves once connected and rejects with UNAVAILABLE after its timeout", async () => {
    const port = await closedPort();
    const client = echoClient(`127.0.0.1:${port}`, { channelOptions: fastReconnect });
    await expect(client.waitForReady(200)).rejects.toBeInstanceOf(UnavailableError);
    await startEcho(port);
    await expect(client.waitForReady(3000)).resolves.toBeUndefined();
  });
});
