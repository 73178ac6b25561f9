import { ConfigError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { loadEvaluatorConfig } from "./config.js";

describe("loadEvaluatorConfig", () => {
  it("defaults to embedded mode on port 50055 with jobs and /metrics on", () => {
    const config = loadEvaluatorConfig({ env: {} });
    expect(config.grpc).toMatchObject({ host: "0.0.0.0", port: 50055 });
    expect(config.nats.url).toBeUndefined();
    expect(config.metrics).toEqual({ enabled: true, host: "0.0.0.0", port: 9464 });
    expect(config.jobs).toMatchObject({ enabled: true, queue: "evaluator", concurrency: 1 });
    expect(config.artifacts).toEqual({ dir: ".ferret/artifacts", source: "objects" });
  });

  it("reads FERRET_EVALUATOR_* variables, booleans included", () => {
    const config = loadEvaluatorConfig({
      env: {
        FERRET_EVALUATOR_GRPC__PORT: "6000",
        FERRET_EVALUATOR_NATS__URL: "nats://nats:4222",
        FERRET_EVALUATOR_JOBS__ENABLED: "false",
        FERRET_EVALUATOR_ARTIFACTS__SOURCE: "files",
        FERRET_GRPC__PORT: "7000",
      },
    });
    expect(config.grpc.port).toBe(6000);
    expect(config.nats.url).toBe("nats://nats:4222");
    expect(config.jobs.enabled).toBe(false);
    expect(config.artifacts.source).toBe("files");
  });

  it("names a bad key", () => {
    expect(() => loadEvaluatorConfig({ env: { FERRET_EVALUATOR_GRPC__PORT: "http" } })).toThrowError(
      ConfigError,
    );
    expect(() => loadEvaluatorConfig({ env: { FERRET_EVALUATOR_ARTIFACTS__SOURCE: "s3" } })).toThrowError(
      /artifacts\.source/,
    );
  });
});
