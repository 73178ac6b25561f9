/**
 * TLS over loopback with certificates made here (openssl): a TLS server answers a client that trusts its
 * CA and refuses a plaintext client and one trusting another CA; with clientAuth "require" a client
 * without a certificate is refused; the plaintext health-only port answers health and nothing else; and
 * a missing, unreadable, garbage or mismatched file is a ConfigError naming the field and the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { ConfigError, UnavailableError } from "@ferret/errors";
import { service as healthService } from "grpc-health-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type ClientOptions } from "./client.js";
import { startGrpcServer, type GrpcServer } from "./server.js";
import { EchoObservations, EchoService, echoService, sayRequest } from "./test-support/echo-service.js";
import { makeTestPki, type TestPki } from "./test-support/test-pki.js";
import { channelCredentials, serverCredentials, type ClientTls, type ServerTls } from "./tls.js";

const dir = mkdtempSync(join(tmpdir(), "ferret-grpc-tls-"));
let pki: TestPki;
const servers: GrpcServer[] = [];

beforeAll(async () => {
  pki = await makeTestPki(dir);
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.shutdown()));
  rmSync(dir, { recursive: true, force: true });
});

async function serve(tls: ServerTls, healthPort?: number): Promise<GrpcServer> {
  const server = await startGrpcServer({
    services: [echoService(new EchoObservations())],
    host: "127.0.0.1",
    credentials: serverCredentials(tls),
    ...(healthPort === undefined ? {} : { healthPort }),
  });
  servers.push(server);
  return server;
}

/** One Say call over a fresh client; resolves to the echoed message. */
async function say(port: number, tls: ClientTls | undefined): Promise<string> {
  const options: ClientOptions<typeof EchoService> = { retry: false, deadlineMs: 10_000 };
  const client = createClient(EchoService, `127.0.0.1:${port}`, tls ? { ...options, tls } : options);
  try {
    return (await client.Say(sayRequest({ message: "over tls" }))).message;
  } finally {
    client.close();
  }
}

async function refusal(port: number, tls: ClientTls | undefined): Promise<UnavailableError> {
  const started = Date.now();
  const error = await say(port, tls).then(
    () => expect.fail("the call succeeded"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UnavailableError);
  // Refused at the handshake, well before the call's 10 s deadline: no hang.
  expect(Date.now() - started).toBeLessThan(5_000);
  return error as UnavailableError;
}

describe("server TLS", () => {
  let port = 0;
  beforeAll(async () => {
    port = (await serve({ certFile: pki.serverCertFile, keyFile: pki.serverKeyFile })).port;
  });

  it("answers a client that trusts its CA", async () => {
    expect(await say(port, { caFile: pki.caFile })).toBe("over tls");
  });

  it("refuses a client trusting another CA, saying the certificate failed", async () => {
    const error = await refusal(port, { caFile: pki.otherCaFile });
    expect(error.message).toContain(`127.0.0.1:${port} (dialed over TLS, trusting ${pki.otherCaFile}): `);
    expect(error.message).toMatch(/Last error: Error: .*certificate/);
  });

  it("refuses a plaintext client, saying it dialed in plaintext", async () => {
    expect((await refusal(port, undefined)).message).toContain(`127.0.0.1:${port} (dialed in plaintext): `);
  });
});

describe("mutual TLS (clientAuth require)", () => {
  let port = 0;
  beforeAll(async () => {
    port = (
      await serve({
        certFile: pki.serverCertFile,
        keyFile: pki.serverKeyFile,
        caFile: pki.caFile,
        clientAuth: "require",
      })
    ).port;
  });

  it("answers a client with a certificate signed by the CA", async () => {
    expect(
      await say(port, { caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: pki.clientKeyFile }),
    ).toBe("over tls");
  });

  it("refuses a client without a certificate", async () => {
    expect((await refusal(port, { caFile: pki.caFile })).message).toMatch(/certificate required/);
  });

  it("refuses a client whose certificate another CA signed", async () => {
    // The other CA's own certificate and key, presented as a client certificate.
    await refusal(port, {
      caFile: pki.caFile,
      certFile: pki.otherCaFile,
      keyFile: join(pki.dir, "other-ca.key"),
    });
  });
});

describe("plaintext health-only port", () => {
  it("answers grpc.health.v1 in plaintext, with the TLS port's statuses, and serves nothing else", async () => {
    const server = await serve({ certFile: pki.serverCertFile, keyFile: pki.serverKeyFile }, 0);
    expect(server.healthPort).toBeGreaterThan(0);
    const address = `127.0.0.1:${server.healthPort}`;
    const health = createClient(healthService as ServiceDefinition, address, { retry: false });
    try {
      await expect(health["Check"]!({ service: "" })).resolves.toEqual({ status: "SERVING" });
      server.health.setStatus("", "NOT_SERVING");
      await expect(health["Check"]!({ service: "" })).resolves.toEqual({ status: "NOT_SERVING" });
    } finally {
      health.close();
    }
    const echoOnHealthPort = say(server.healthPort!, undefined);
    await expect(echoOnHealthPort).rejects.toMatchObject({ code: "UNSUPPORTED" });
  });
});

describe("bad certificate files fail at start-up, naming the field and the file", () => {
  const good = (): { certFile: string; keyFile: string } => ({
    certFile: pki.serverCertFile,
    keyFile: pki.serverKeyFile,
  });

  function configError(build: () => unknown): ConfigError {
    try {
      build();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    return expect.fail("no error");
  }

  it("a missing certificate file", () => {
    const missing = join(dir, "missing.pem");
    const error = configError(() => serverCredentials({ ...good(), certFile: missing }));
    expect(error.message).toBe(
      `grpc.tls.certFile ${missing}: cannot be read (ENOENT: no such file or directory, open '${missing}')`,
    );
    expect(error.details).toEqual({ key: "grpc.tls.certFile", file: missing });
  });

  it("a garbage certificate, a garbage key, a key of another certificate", () => {
    const garbage = join(dir, "garbage.pem");
    writeFileSync(garbage, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
    expect(configError(() => serverCredentials({ ...good(), certFile: garbage })).message).toMatch(
      new RegExp(`^grpc\\.tls\\.certFile ${garbage}: not a usable PEM certificate \\(`),
    );
    expect(configError(() => serverCredentials({ ...good(), keyFile: garbage })).message).toMatch(
      new RegExp(`^grpc\\.tls\\.keyFile ${garbage}: not a usable PEM private key \\(`),
    );
    expect(configError(() => serverCredentials({ ...good(), keyFile: pki.clientKeyFile })).message).toBe(
      `grpc.tls.keyFile ${pki.clientKeyFile}: is not the private key of grpc.tls.certFile ${pki.serverCertFile}`,
    );
  });

  it("clientAuth require without a CA, a certificate without its key", () => {
    expect(configError(() => serverCredentials({ ...good(), clientAuth: "require" })).message).toMatch(
      /^grpc\.tls\.caFile: clientAuth "require" needs/,
    );
    expect(
      configError(() => serverCredentials({ certFile: pki.serverCertFile }, "encoder.grpc.tls")).message,
    ).toMatch(/^encoder\.grpc\.tls: certFile and keyFile go together/);
  });

  it("on the client side too: an unreadable CA, a garbage client key", () => {
    const missing = join(dir, "no-ca.pem");
    expect(configError(() => channelCredentials({ caFile: missing, source: "encoder.tls" })).details).toEqual(
      {
        key: "encoder.tls.caFile",
        file: missing,
      },
    );
    const garbage = join(dir, "garbage.key");
    writeFileSync(garbage, "not a key\n");
    expect(
      configError(() =>
        channelCredentials({ caFile: pki.caFile, certFile: pki.clientCertFile, keyFile: garbage }),
      ).message,
    ).toMatch(new RegExp(`^tls\\.keyFile ${garbage}: not a usable PEM private key`));
    const flags = { caFile: "--tls-ca", certFile: "--tls-cert", keyFile: "--tls-key" };
    expect(
      configError(() => channelCredentials({ certFile: pki.clientCertFile, source: flags })).message,
    ).toBe("--tls-cert and --tls-key go together (one of them is missing)");
  });
});
