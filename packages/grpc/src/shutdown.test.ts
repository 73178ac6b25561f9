import { status as Status } from "@grpc/grpc-js";
import { CancelledError, FerretError, UnavailableError } from "@ferret/errors";
import { service as healthService } from "grpc-health-check";
import { describe, expect, it } from "vitest";
import { createClient } from "./client.js";
import { isServiceError } from "./error-status.js";
import { startGrpcServer } from "./server.js";
import { EchoObservations, EchoService, echoService, sayRequest } from "./test-support/echo-service.js";

async function startEcho(shutdownTimeoutMs: number) {
  const observed = new EchoObservations();
  const server = await startGrpcServer({
    services: [echoService(observed)],
    host: "127.0.0.1",
    shutdownTimeoutMs,
  });
  const address = `127.0.0.1:${server.port}`;
  const echo = createClient(EchoService, address, { retry: false, deadlineMs: 10_000 });
  const health = createClient(healthService, address, { retry: false, deadlineMs: 5000 });
  return { server, echo, health, observed };
}

describe("GrpcServer.shutdown", () => {
  it("goes NOT_SERVING, refuses new calls and lets the in-flight call finish", async () => {
    const { server, echo, health } = await startEcho(5000);
    try {
      await expect(health["Check"]!({ service: "" })).resolves.toEqual({ status: "SERVING" });
      const slow = echo.Say(sayRequest({ message: "slow", delayMs: 600 }));
      await expect.poll(() => server.inFlightCalls).toBe(1);

      const shutdown = server.shutdown();
      await expect(health["Check"]!({ service: "" })).resolves.toEqual({ status: "NOT_SERVING" });
      await expect(health["Check"]!({ service: "ferret.test.v1.Echo" })).resolves.toEqual({
        status: "NOT_SERVING",
      });
      const refused = await echo.Say(sayRequest({ message: "late" })).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UnavailableError);
      expect(isServiceError((refused as FerretError).cause) && (refused as FerretError).cause).toMatchObject({
        code: Status.UNAVAILABLE,
      });

      await expect(slow).resolves.toEqual({ message: "slow", sequence: 0 });
      await shutdown;
      await expect(server.closed).resolves.toBeUndefined();
      expect(server.shutdown()).toBe(shutdown);
    } finally {
      echo.close();
      health.close();
    }
  });

  it("aborts and force-closes calls still running when the timeout is up", async () => {
    const { server, echo, health, observed } = await startEcho(300);
    try {
      // The handler ignores its signal, so only the force-close can end the call.
      const stuck = echo.Say(sayRequest({ delayMs: 3000, ignoreSignal: true })).catch((e: unknown) => e);
      await expect.poll(() => server.inFlightCalls).toBe(1);
      const started = Date.now();
      await server.shutdown();
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(2000);
      expect(observed.abortReasons).toHaveLength(1);
      expect(observed.abortReasons[0]).toBeInstanceOf(CancelledError);
      const failure = await stuck;
      expect(Date.now() - started).toBeLessThan(2000);
      expect(failure).toBeInstanceOf(FerretError);
      expect(["CANCELLED", "UNAVAILABLE"]).toContain((failure as FerretError).code);
    } finally {
      echo.close();
      health.close();
    }
  });

  it("shuts down on SIGTERM when asked to handle signals, then stops listening for them", async () => {
    const listenersBefore = process.listenerCount("SIGTERM");
    const server = await startGrpcServer({
      services: [echoService(new EchoObservations())],
      host: "127.0.0.1",
      handleSignals: true,
    });
    expect(process.listenerCount("SIGTERM")).toBe(listenersBefore + 1);
    process.emit("SIGTERM", "SIGTERM");
    await server.closed;
    expect(process.listenerCount("SIGTERM")).toBe(listenersBefore);
    const client = createClient(EchoService, `127.0.0.1:${server.port}`, { retry: false });
    try {
      await expect(client.Say(sayRequest({}))).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      client.close();
    }
  });
});
