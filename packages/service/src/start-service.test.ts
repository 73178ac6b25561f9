/**
 * The service runtime on the in-process bus and on a real nats-server ($NATS_URL, default
 * nats://127.0.0.1:4222; dev: `make services-up`): gRPC health, reflection and the message limit over loopback,
 * /metrics over HTTP, the "<name> started" log line, the stop order, and a failed start that closes what it had
 * opened (in reverse order) and releases its ports; and gRPC TLS from config.grpc.tls (mutual TLS with
 * certificates made here, the plaintext health-only port, a bad certificate failing the start naming its
 * field and file).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { loadConfig, serviceConfigBlocks } from "@ferret/config";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { ConfigError, InternalError, UnavailableError } from "@ferret/errors";
import { createClient, type ClientTls } from "@ferret/grpc";
import { makeTestPki, type TestPki } from "@ferret/grpc/testing";
import { createLogger } from "@ferret/logging";
import { createRegistry, startMetricsServer } from "@ferret/metrics";
import { service as healthService } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startService } from "./index.js";
import { freePort } from "./testing.js";

const natsUrl = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const schema = z.object(serviceConfigBlocks({ grpcPort: 50099, metricsPort: 9499 }));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-service-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Config as a service reads it from env, on free loopback ports. */
const configFrom = (env: Record<string, string>) =>
  loadConfig(schema, {
    prefix: "FERRET_T_",
    env: {
      FERRET_T_GRPC__HOST: "127.0.0.1",
      FERRET_T_GRPC__PORT: "0",
      FERRET_T_METRICS__HOST: "127.0.0.1",
      FERRET_T_METRICS__PORT: "0",
      FERRET_T_ARTIFACTS__DIR: dir,
      ...env,
    },
  });

/** A logger whose JSON lines are kept. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line !== "") lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger({ name: "t", destination }), lines };
}

async function portIsFree(port: number): Promise<boolean> {
  try {
    const again = await startMetricsServer(createRegistry({ defaults: false }), { host: "127.0.0.1", port });
    await again.close();
    return true;
  } catch {
    return false;
  }
}

describe("startService", () => {
  it("serves health, reflection and /metrics, logs its start, and stops intake first, then closes in reverse", async () => {
    const { logger, lines } = capturingLogger();
    const order: string[] = [];
    const service = await startService(
      configFrom({ FERRET_T_GRPC__MAX_MESSAGE_BYTES: "64" }),
      { name: "t", logger },
      async (runtime) => {
        runtime.onClose(() => void order.push("model"));
        runtime.onClose(async () => void order.push("cache"));
        await runtime.listen([]);
        runtime.stopFirst(async () => void order.push("worker"));
        runtime.describe({ models: "m" });
        return { own: 42 };
      },
    );
    expect(service.own).toBe(42);
    expect(service.bus.kind).toBe("memory");
    const started = lines.find((l) => l["msg"] === "t started");
    expect(started).toMatchObject({
      grpcPort: service.grpc.port,
      metricsPort: service.metricsPort,
      bus: "memory",
    });
    expect(started?.["models"]).toBe("m");

    const health = createClient(healthService, `127.0.0.1:${service.grpc.port}`, { retry: false });
    try {
      await expect(health["Check"]!({ service: "" })).resolves.toEqual({ status: "SERVING" });
      // over config.grpc.maxMessageBytes (64): refused before any handler runs
      await expect(health["Check"]!({ service: "x".repeat(100) })).rejects.toMatchObject({
        code: "RESOURCE_EXHAUSTED",
      });
      expect(service.grpc.serviceNames).toEqual([]);
    } finally {
      health.close();
    }
    const scrape = await fetch(`http://127.0.0.1:${service.metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/^ferret_process_cpu_user_seconds_total /m);

    const metricsPort = service.metricsPort!;
    await Promise.all([service.stop(), service.stop()]);
    expect(order).toEqual(["worker", "cache", "model"]);
    expect(await portIsFree(metricsPort)).toBe(true);
    expect(lines.map((l) => l["msg"])).toContain("t stopped");
  });

  it("serves the extra services its starter adds beside its own, built on its bus", async () => {
    const bytes = (b: Buffer): Buffer => b;
    const extra: ServiceDefinition = {
      ping: {
        path: "/t.Extra/Ping",
        requestStream: false,
        responseStream: false,
        requestSerialize: bytes,
        requestDeserialize: bytes,
        responseSerialize: bytes,
        responseDeserialize: bytes,
      },
    };
    let given: unknown;
    const service = await startService(
      configFrom({}),
      {
        name: "t",
        extraServices: async (bus) => {
          given = bus;
          return [{ definition: extra, implementation: { ping: (request: Buffer) => request } }];
        },
      },
      async (runtime) => {
        await runtime.listen([]);
        return {};
      },
    );
    const client = createClient(extra, `127.0.0.1:${service.grpc.port}`, { retry: false });
    try {
      expect(given).toBe(service.bus);
      expect(service.grpc.serviceNames).toEqual(["t.Extra"]);
      await expect(client["ping"]!(Buffer.from("hi"))).resolves.toEqual(Buffer.from("hi"));
    } finally {
      client.close();
      await service.stop();
    }
  });

  it("a failed start (gRPC port in use) closes what it had opened, in reverse order, and releases /metrics", async () => {
    const holder = await startService(configFrom({}), { name: "holder" }, async (runtime) => {
      await runtime.listen([]);
      return {};
    });
    try {
      const metricsPort = await freePort();
      const order: string[] = [];
      let workerStarted = false;
      const failed = startService(
        configFrom({
          FERRET_T_GRPC__PORT: String(holder.grpc.port),
          FERRET_T_METRICS__PORT: String(metricsPort),
        }),
        { name: "t" },
        async (runtime) => {
          runtime.onClose(() => void order.push("first"));
          runtime.onClose(() => void order.push("second"));
          await runtime.listen([]);
          workerStarted = true;
          return {};
        },
      );
      await expect(failed).rejects.toThrow(/cannot listen/);
      expect(order).toEqual(["second", "first"]);
      expect(workerStarted).toBe(false);
      expect(await portIsFree(metricsPort)).toBe(true);
    } finally {
      await holder.stop();
    }
  });

  it("a start that never listens is an InternalError, and closes what it opened", async () => {
    const order: string[] = [];
    const failed = startService(
      configFrom({ FERRET_T_METRICS__ENABLED: "false" }),
      { name: "t" },
      async (runtime) => {
        runtime.onClose(() => void order.push("opened"));
        return {};
      },
    );
    await expect(failed).rejects.toBeInstanceOf(InternalError);
    expect(order).toEqual(["opened"]);
  });

  it("joins NATS JetStream when nats.url is set, and closes the connection on stop", async () => {
    const service = await startService(
      configFrom({ FERRET_T_NATS__URL: natsUrl, FERRET_T_METRICS__ENABLED: "false" }),
      { name: "t-nats" },
      async (runtime) => {
        await runtime.listen([]);
        return {};
      },
    );
    expect(service.bus.kind).toBe("nats");
    expect(service.metricsPort).toBeUndefined();
    const kv = await service.bus.kv<number>(`service-test-${process.pid}-${Date.now()}`);
    await kv.put("k", 1);
    expect((await kv.get("k"))?.value).toBe(1);
    await service.stop();
    await expect(kv.get("k")).rejects.toThrow();
  });
});

const mutualTlsEnv = (pki: TestPki) => ({
  FERRET_T_GRPC__TLS__CERT_FILE: pki.serverCertFile,
  FERRET_T_GRPC__TLS__KEY_FILE: pki.serverKeyFile,
  FERRET_T_GRPC__TLS__CA_FILE: pki.caFile,
  FERRET_T_GRPC__TLS__CLIENT_AUTH: "require",
  FERRET_T_GRPC__HEALTH_PORT: "0",
});

async function healthCheck(port: number, tls?: ClientTls): Promise<unknown> {
  const client = createClient(healthService as ServiceDefinition, `127.0.0.1:${port}`, {
    retry: false,
    deadlineMs: 10_000,
    ...(tls ? { tls } : {}),
  });
  try {
    return await client["Check"]!({ service: "" });
  } finally {
    client.close();
  }
}

describe("a service's gRPC TLS", () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await makeTestPki(join(dir, "pki"));
  }, 60_000);

  it("serves mutual TLS from config.grpc.tls, and plaintext health on grpc.healthPort", async () => {
    const { logger, lines } = capturingLogger();
    const service = await startService(
      configFrom(mutualTlsEnv(pki)),
      { name: "t", logger },
      async (runtime) => {
        await runtime.listen([]);
        return {};
      },
    );
    try {
      const { port, healthPort } = service.grpc;
      const client = { caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile };
      await expect(healthCheck(port, client)).resolves.toEqual({ status: "SERVING" });
      await expect(healthCheck(port, { caFile: pki.caFile })).rejects.toBeInstanceOf(UnavailableError);
      await expect(healthCheck(port)).rejects.toBeInstanceOf(UnavailableError);
      await expect(healthCheck(healthPort!)).resolves.toEqual({ status: "SERVING" });
      expect(lines.find((l) => l["msg"] === "t started")).toMatchObject({
        grpcPort: port,
        tls: "mutual",
        healthPort,
      });
    } finally {
      await service.stop();
    }
  });

  it("a certificate that is not PEM fails the start with a ConfigError naming the field and file", async () => {
    const bad = join(dir, "not-a-cert.pem");
    await writeFile(bad, "hello\n");
    let wired = false;
    const start = startService(
      configFrom({ ...mutualTlsEnv(pki), FERRET_T_GRPC__TLS__CERT_FILE: bad }),
      { name: "t" },
      async (runtime) => {
        wired = true;
        await runtime.listen([]);
        return {};
      },
    );
    await expect(start).rejects.toThrow(
      expect.objectContaining({
        constructor: ConfigError,
        message: expect.stringMatching(
          new RegExp(`^grpc\\.tls\\.certFile ${bad}: not a usable PEM certificate`),
        ),
      }),
    );
    expect(wired).toBe(false);
  });

  it("an incomplete tls block is refused when the config is read", () => {
    expect(() => configFrom({ FERRET_T_GRPC__TLS__CERT_FILE: pki.serverCertFile })).toThrow(
      /grpc\.tls\.keyFile: certFile and keyFile go together/,
    );
    expect(() =>
      configFrom({
        FERRET_T_GRPC__TLS__CERT_FILE: pki.serverCertFile,
        FERRET_T_GRPC__TLS__KEY_FILE: pki.serverKeyFile,
        FERRET_T_GRPC__TLS__CLIENT_AUTH: "require",
      }),
    ).toThrow(/grpc\.tls\.clientAuth: clientAuth "require" needs/);
  });
});
