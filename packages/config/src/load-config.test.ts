import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "./index.js";

const schema = z.object({
  port: z.coerce.number().int().min(1).max(65535).default(50051),
  nats: z
    .object({
      url: z.string().default("nats://127.0.0.1:4222"),
      maxDeliver: z.coerce.number().int().default(5),
    })
    .default({
      url: "nats://127.0.0.1:4222",
      maxDeliver: 5,
    }),
});

describe("loadConfig", () => {
  it("uses defaults that work on one machine", () => {
    expect(loadConfig(schema, { env: {} })).toEqual({
      port: 50051,
      nats: { url: "nats://127.0.0.1:4222", maxDeliver: 5 },
    });
  });

  it("layers YAML under env and camel-cases nested env keys", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "ferret.yaml");
    writeFileSync(file, "port: 6000\nnats:\n  url: nats://yaml:4222\n");
    const cfg = loadConfig(schema, { env: { FERRET_CONFIG: file, FERRET_NATS__MAX_DELIVER: "9" } });
    expect(cfg).toEqual({ port: 6000, nats: { url: "nats://yaml:4222", maxDeliver: 9 } });
  });

  it("names the bad key", () => {
    expect(() => loadConfig(schema, { env: { FERRET_NATS__MAX_DELIVER: "many" } })).toThrowError(
      /nats\.maxDeliver/,
    );
    try {
      loadConfig(schema, { env: { FERRET_PORT: "70000" } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toMatch(/^invalid configuration: port:/);
    }
  });

  it("reports malformed YAML with the file name", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "port: [1, 2\n");
    expect(() => loadConfig(schema, { env: {}, file })).toThrowError(new RegExp(`${file}: not valid YAML`));
  });
});
