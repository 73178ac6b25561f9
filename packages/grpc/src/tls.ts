/**
 * TLS for Ferret's gRPC links, from PEM files: a server's credentials (optionally requiring client
 * certificates, mTLS) and a client's. Every file is read and parsed here, at start-up, so a missing,
 * unreadable or malformed certificate or key, or a key that is not the certificate's, is a ConfigError
 * naming the config field and the file, not a handshake failure on the first call.
 */
import { readFileSync } from "node:fs";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { ServerCredentials, credentials, type ChannelCredentials } from "@grpc/grpc-js";
import { ConfigError } from "@ferret/errors";

/** A server's TLS (config `grpc.tls`). TLS is on when certFile and keyFile are set. */
export interface ServerTls {
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  /** The CA client certificates must chain to. */
  readonly caFile?: string | undefined;
  /** "require": a client without a certificate signed by caFile is refused (mTLS). Default "none". */
  readonly clientAuth?: "none" | "require" | undefined;
}

/** A client's TLS (e.g. config `encoder.tls`, the CLI's --tls-* flags). */
export interface ClientTls {
  /** TLS with the system's CAs even when no file is set. */
  readonly enabled?: boolean | undefined;
  /** The CA the server's certificate must chain to (else the system's CAs). */
  readonly caFile?: string | undefined;
  /** This client's certificate and key, for servers that require one. */
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  /**
   * What names these settings in errors: a config block, its field names appended ("encoder.tls" gives
   * "encoder.tls.caFile"), or a name per file (the CLI's flags). Default "tls".
   */
  readonly source?: string | Readonly<Record<TlsFileKey, string>> | undefined;
}

type TlsFileKey = "caFile" | "certFile" | "keyFile";
type Kind = "certificate" | "private key";

function fail(field: string, file: string, problem: string, cause?: unknown): ConfigError {
  return new ConfigError(`${field} ${file}: ${problem}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { key: field, file },
  });
}

/** The file's bytes, checked to hold a PEM certificate (the first of a bundle) or private key. */
function readPem(field: string, file: string, kind: Kind): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (cause) {
    throw fail(field, file, `cannot be read (${(cause as Error).message})`, cause);
  }
  try {
    if (kind === "certificate") {
      const cert = new X509Certificate(pem);
      if (Date.parse(cert.validTo) < Date.now()) throw new Error(`expired on ${cert.validTo}`);
    } else createPrivateKey(pem);
  } catch (cause) {
    throw fail(field, file, `not a usable PEM ${kind} (${(cause as Error).message})`, cause);
  }
  return pem;
}

/** Certificate and key, read, checked and checked to belong together. */
function readPair(
  name: (key: TlsFileKey) => string,
  certFile: string,
  keyFile: string,
): { cert_chain: Buffer; private_key: Buffer } {
  const cert = readPem(name("certFile"), certFile, "certificate");
  const key = readPem(name("keyFile"), keyFile, "private key");
  if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key)))
    throw fail(name("keyFile"), keyFile, `is not the private key of ${name("certFile")} ${certFile}`);
  return { cert_chain: cert, private_key: key };
}

const fieldsOf =
  (source: string | Readonly<Record<TlsFileKey, string>>) =>
  (key: TlsFileKey): string =>
    typeof source === "string" ? `${source}.${key}` : source[key];

export function isServerTls(tls: ServerTls | undefined): boolean {
  return tls?.certFile !== undefined || tls?.keyFile !== undefined;
}

/**
 * Server credentials for `tls` (`prefix` names its config block in errors, default "grpc.tls"): insecure
 * when it sets no certificate, else TLS, requiring client certificates when clientAuth is "require".
 */
export function serverCredentials(tls: ServerTls | undefined, prefix = "grpc.tls"): ServerCredentials {
  if (!isServerTls(tls)) return ServerCredentials.createInsecure();
  const { certFile, keyFile, caFile, clientAuth = "none" } = tls!;
  if (certFile === undefined || keyFile === undefined)
    throw new ConfigError(`${prefix}: certFile and keyFile go together (one of them is missing)`, {
      details: { key: prefix },
    });
  if (clientAuth === "require" && caFile === undefined)
    throw new ConfigError(`${prefix}.caFile: clientAuth "require" needs the CA of client certificates`, {
      details: { key: `${prefix}.caFile` },
    });
  const name = fieldsOf(prefix);
  const ca = caFile === undefined ? null : readPem(name("caFile"), caFile, "certificate");
  return ServerCredentials.createSsl(ca, [readPair(name, certFile, keyFile)], clientAuth === "require");
}

export function isClientTls(tls: ClientTls | undefined): boolean {
  return (
    tls !== undefined &&
    (tls.enabled === true || [tls.caFile, tls.certFile, tls.keyFile].some((f) => f !== undefined))
  );
}

/**
 * Channel credentials for `tls`: insecure when it asks for no TLS, else TLS verifying the server against
 * caFile (or the system's CAs), presenting certFile and keyFile when given.
 */
export function channelCredentials(tls: ClientTls | undefined): ChannelCredentials {
  if (!isClientTls(tls)) return credentials.createInsecure();
  const { caFile, certFile, keyFile, source = "tls" } = tls!;
  const name = fieldsOf(source);
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new ConfigError(`${name("certFile")} and ${name("keyFile")} go together (one of them is missing)`, {
      details: { key: name(certFile === undefined ? "certFile" : "keyFile") },
    });
  const ca = caFile === undefined ? null : readPem(name("caFile"), caFile, "certificate");
  const pair = certFile === undefined ? undefined : readPair(name, certFile, keyFile!);
  return credentials.createSsl(ca, pair?.private_key ?? null, pair?.cert_chain ?? null);
}
