/**
 * The CLI's NATS credentials from FERRET_CLI_NATS__*: against a real nats-server that requires a user and
 * password, a job command's bus connects with them and is refused without them; a TLS file that cannot be
 * read is a ConfigError naming it before any connection.
 */
import { join } from "node:path";
import { startNatsServer, type NatsServer } from "@ferret/bus/testing";
import { ConfigError } from "@ferret/errors";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openJobBus } from "./job-bus.js";
import { cliNatsAuth } from "./nats-auth.js";

let server: NatsServer;
let url: string;
const saved = { ...process.env };

beforeAll(async () => {
  server = await startNatsServer({ user: { user: "ferret", password: "s3cret-pw" } });
  url = server.url;
});

afterAll(() => server?.stop());

afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
});

describe("the CLI's NATS credentials", () => {
  it("connect a job command's bus to a server that requires them", async () => {
    process.env["FERRET_CLI_NATS__USER"] = "ferret";
    process.env["FERRET_CLI_NATS__PASSWORD"] = "s3cret-pw";
    const jobBus = await openJobBus(url, "cli-auth-test");
    try {
      expect(jobBus.embedded).toBe(false);
      const kv = await jobBus.bus.kv<string>(`cli-auth-${Date.now()}`);
      await kv.put("k", "v");
      expect((await kv.get("k"))?.value).toBe("v");
      await kv.destroy();
    } finally {
      await jobBus.close();
    }
  });

  it("are required: without them the server refuses the connection", async () => {
    await expect(openJobBus(url, "cli-auth-test")).rejects.toThrow(/author/i);
  });

  it("name a TLS file that cannot be read, before connecting", () => {
    process.env["FERRET_CLI_NATS__TLS__CA_FILE"] = join(import.meta.dirname, "missing-ca.pem");
    expect(() => cliNatsAuth()).not.toThrow();
    return expect(openJobBus(url, "cli-auth-test")).rejects.toThrow(ConfigError);
  });

  it("are absent when no FERRET_CLI_NATS__ variable is set", () => {
    expect(cliNatsAuth({ FERRET_CLI_OTHER: "x" })).toBeUndefined();
    expect(cliNatsAuth({ FERRET_CLI_NATS__TOKEN: "t0k" })).toEqual({ token: "t0k" });
  });
});
