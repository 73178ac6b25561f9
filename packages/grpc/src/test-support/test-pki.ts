/**
 * Certificates for TLS tests, made at test time with the openssl CLI (on every Debian machine; no npm
 * library needed for four certificates): a CA, a server certificate for 127.0.0.1 and localhost and a
 * client certificate both signed by it, and a second CA that signed neither. P-256 keys keep it fast.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TestPki {
  readonly dir: string;
  /** The CA that signed the server and client certificates. */
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** A CA that signed neither certificate. */
  readonly otherCaFile: string;
}

/** Writes a fresh PKI into `dir` (created if needed). */
export async function makeTestPki(dir: string): Promise<TestPki> {
  mkdirSync(dir, { recursive: true });
  const openssl = (args: string[]) => run("openssl", args, { cwd: dir });
  const key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const ca = async (name: string) =>
    openssl([
      "req",
      "-x509",
      ...key,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
    ]);
  const signed = async (name: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    await openssl(["req", ...key, "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`]);
    await openssl([
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
      "-out",
      `${name}.pem`,
    ]);
  };
  await ca("ca");
  await ca("other-ca");
  await signed("server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  await signed("client", "extendedKeyUsage=clientAuth\n");
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    serverCertFile: join(dir, "server.pem"),
    serverKeyFile: join(dir, "server.key"),
    clientCertFile: join(dir, "client.pem"),
    clientKeyFile: join(dir, "client.key"),
    otherCaFile: join(dir, "other-ca.pem"),
  };
}
