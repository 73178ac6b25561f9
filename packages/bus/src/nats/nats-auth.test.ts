/**
 * NATS credentials and TLS against real nats-servers started with auth: user/password, token, and TLS with
 * a CA and certificates generated here (@ferret/grpc/testing's makeTestPki, with openssl). The right credentials give a working JetStream bus; wrong
 * or missing ones fail with UnavailableError; a bad file is a ConfigError naming it; and no secret appears
 * in an error or in any log line, at any level.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { ConfigError, UnavailableError } from "@ferret/errors";
import { makeTestPki } from "@ferret/grpc/testing";
import { createLogger } from "@ferret/logging";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "../create-bus.js";
import { startNatsServer, type NatsServer } from "../test-support/nats-server.js";
import type { NatsAuth } from "./nats-auth.js";
import { redactServers } from "./nats-auth.js";

const PASSWORD = "pw-7f3a9c1e5b";
const TOKEN = "tok-2d8e4b6a0c";
const dir = mkdtempSync(join(tmpdir(), "ferret-nats-auth-"));
const servers: NatsServer[] = [];

/** Everything a logger at trace level writes, to check for secrets. */
function capturingLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ name: "nats-auth-test", level: "trace", destination }), lines };
}

async function roundTrip(
  url: string,
  auth: NatsAuth | undefined,
  lines?: ReturnType<typeof capturingLogger>,
) {
  const bus = await createBus({
    kind: "nats",
    url,
    ...(auth ? { auth } : {}),
    ...(lines ? { logger: lines.logger } : {}),
  });
  try {
    const kv = await bus.kv<{ n: number }>(`auth-${process.pid}-${Date.now().toString(36)}`);
    await kv.put("k", { n: 1 });
    const got = await kv.get("k");
    await kv.destroy();
    return got?.value;
  } finally {
    await bus.close();
  }
}

let userUrl = "";
let tokenUrl = "";
let tlsUrl = "";
let ca = "";

/** A JetStream nats-server with `options`, stopped after the suite; resolves to its client URL. */
async function startServer(options: Parameters<typeof startNatsServer>[0]): Promise<string> {
  const server = await startNatsServer(options);
  servers.push(server);
  return server.url;
}

beforeAll(async () => {
  userUrl = await startServer({ name: "user", user: { user: "ferret", password: PASSWORD } });
  tokenUrl = await startServer({ name: "token", token: TOKEN });
  // A CA, and a server certificate for 127.0.0.1 signed by it.
  const pki = await makeTestPki(join(dir, "pki"));
  ca = pki.caFile;
  tlsUrl = await startServer({
    name: "tls",
    tls: { certFile: pki.serverCertFile, keyFile: pki.serverKeyFile },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe("NATS auth", () => {
  it("user and password: accepted when right, refused when wrong or missing", async () => {
    expect(await roundTrip(userUrl, { user: "ferret", password: PASSWORD })).toEqual({ n: 1 });
    await expect(roundTrip(userUrl, { user: "ferret", password: "wrong" })).rejects.toBeInstanceOf(
      UnavailableError,
    );
    await expect(roundTrip(userUrl, undefined)).rejects.toThrow(/cannot connect to NATS/);
  });

  it("credentials in the URL work and are redacted in errors", async () => {
    const withCreds = userUrl.replace("nats://", `nats://ferret:${PASSWORD}@`);
    expect(await roundTrip(withCreds, undefined)).toEqual({ n: 1 });
    const bad = userUrl.replace("nats://", `nats://ferret:${PASSWORD}x@`);
    const err = await roundTrip(bad, undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(
      JSON.stringify({ message: (err as Error).message, details: (err as UnavailableError).details }),
    ).not.toContain(PASSWORD);
    expect(redactServers([withCreds, `nats://${TOKEN}@h:4222`])).toBe(
      `${userUrl.replace("nats://", "nats://***@")},nats://***@h:4222`,
    );
  });

  it("token: accepted when right, refused when wrong", async () => {
    expect(await roundTrip(tokenUrl, { token: TOKEN })).toEqual({ n: 1 });
    await expect(roundTrip(tokenUrl, { token: "nope" })).rejects.toBeInstanceOf(UnavailableError);
  });

  it("TLS: connects with the CA, refuses a server it cannot verify", async () => {
    expect(await roundTrip(tlsUrl, { tls: { caFile: ca } })).toEqual({ n: 1 });
    await expect(roundTrip(tlsUrl, undefined)).rejects.toBeInstanceOf(UnavailableError);
  });

  it("a missing or inconsistent setting is a ConfigError naming it", async () => {
    const missing = join(dir, "nope.pem");
    await expect(roundTrip(tlsUrl, { tls: { caFile: missing } })).rejects.toThrow(
      expect.objectContaining({ constructor: ConfigError, message: expect.stringContaining(missing) }),
    );
    await expect(roundTrip(userUrl, { credsFile: join(dir, "none.creds") })).rejects.toThrow(
      /credsFile .*none\.creds/,
    );
    await expect(roundTrip(userUrl, { user: "ferret" })).rejects.toThrow(/user and password go together/);
    await expect(roundTrip(userUrl, { token: TOKEN, user: "a", password: "b" })).rejects.toThrow(
      /one way to authenticate/,
    );
  });

  it("no secret appears in any log line, at any level, connected or refused", async () => {
    const log = capturingLogger();
    await roundTrip(userUrl, { user: "ferret", password: PASSWORD }, log);
    await roundTrip(tokenUrl, { token: TOKEN }, log);
    await roundTrip(userUrl.replace("nats://", `nats://ferret:${PASSWORD}@`), undefined, log);
    const refused = await roundTrip(
      userUrl.replace("nats://", `nats://ferret:${PASSWORD}x@`),
      undefined,
      log,
    ).catch((e: unknown) => e as Error);
    log.logger.error({ err: refused }, "bus failed");
    log.logger.flush();
    const text = log.lines.join("");
    expect(text).toContain("bus failed");
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(TOKEN);
  });
});
