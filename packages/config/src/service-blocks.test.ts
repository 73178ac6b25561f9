import { ConfigError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { artifactsSchema, countField, jobsBlock, loadConfig, serviceConfigBlocks } from "./index.js";

const schema = z.object({
  ...serviceConfigBlocks({ grpcPort: 50099, metricsPort: 9499 }),
  artifacts: artifactsSchema(".ferret/x", { source: z.enum(["objects", "files"]).default("objects") }),
  jobs: jobsBlock({ queue: "x-q", jobsBucket: "x-jobs" }, { concurrency: countField(1) }),
});

describe("serviceConfigBlocks", () => {
  it("defaults to embedded mode on one machine, with the service's own ports", () => {
    const config = loadConfig(schema, { prefix: "FERRET_X_", env: {} });
    expect(config.grpc).toEqual({
      host: "0.0.0.0",
      port: 50099,
      maxMessageBytes: 256 * 1024 * 1024,
      shutdownTimeoutMs: 10_000,
      tls: { clientAuth: "none" },
    });
    expect(config.metrics).toEqual({ enabled: true, host: "0.0.0.0", port: 9499 });
    expect(config.nats).toEqual({});
    expect(config.artifacts).toEqual({ dir: ".ferret/x", source: "objects" });
    expect(config.jobs).toEqual({ enabled: true, queue: "x-q", jobsBucket: "x-jobs", concurrency: 1 });
    expect(config.pipeline).toEqual({ ackWaitMs: 60_000 });
  });

  it("reads every block from env, and names a bad key", () => {
    const config = loadConfig(schema, {
      prefix: "FERRET_X_",
      env: {
        FERRET_X_GRPC__PORT: "6000",
        FERRET_X_GRPC__HEALTH_PORT: "6001",
        FERRET_X_GRPC__TLS__CERT_FILE: "/etc/tls/tls.crt",
        FERRET_X_GRPC__TLS__KEY_FILE: "/etc/tls/tls.key",
        FERRET_X_METRICS__ENABLED: "false",
        FERRET_X_NATS__URL: "nats://nats:4222",
        FERRET_X_NATS__EVENTS_PREFIX: "test.events",
        FERRET_X_ARTIFACTS__SOURCE: "files",
        FERRET_X_JOBS__ENABLED: "0",
        FERRET_X_JOBS__CONCURRENCY: "3",
        FERRET_X_PIPELINE__ACK_WAIT_MS: "3000",
      },
    });
    expect(config.grpc).toMatchObject({
      port: 6000,
      healthPort: 6001,
      tls: { certFile: "/etc/tls/tls.crt", keyFile: "/etc/tls/tls.key", clientAuth: "none" },
    });
    expect(config.metrics.enabled).toBe(false);
    expect(config.nats).toEqual({ url: "nats://nats:4222", eventsPrefix: "test.events" });
    expect(config.artifacts.source).toBe("files");
    expect(config.jobs).toMatchObject({ enabled: false, concurrency: 3 });
    expect(config.pipeline.ackWaitMs).toBe(3000);
    expect(() => loadConfig(schema, { prefix: "FERRET_X_", env: { FERRET_X_METRICS__PORT: "x" } })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig(schema, { prefix: "FERRET_X_", env: { FERRET_X_METRICS__PORT: "x" } })).toThrow(
      /metrics\.port/,
    );
  });
});
