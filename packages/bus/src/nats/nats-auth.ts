/**
 * How a bus authenticates to NATS and secures the link: user and password, a token, a .creds file (JWT and
 * nkey seed, decentralised auth) or an nkey seed file; and TLS (server CA, and a client certificate for
 * mutual TLS). Secrets are read here and go only into the connect options; URLs are redacted before they
 * reach an error message or a log line.
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "@ferret/errors";
import { credsAuthenticator, nkeyAuthenticator, type NodeConnectionOptions } from "@nats-io/transport-node";

export interface NatsTls {
  /** PEM CA bundle the server's certificate must chain to (else the system's CAs). */
  caFile?: string;
  /** Client certificate and key (PEM), for servers that verify clients (mTLS). */
  certFile?: string;
  keyFile?: string;
}

export interface NatsAuth {
  user?: string;
  password?: string;
  token?: string;
  /** A .creds file: the user JWT and its nkey seed. */
  credsFile?: string;
  /** A file holding an nkey seed (SU...). */
  nkeySeedFile?: string;
  tls?: NatsTls;
}

function readSecretFile(kind: string, file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (cause) {
    throw new ConfigError(`nats ${kind} ${file} cannot be read: ${(cause as Error).message}`, {
      cause,
      details: { file },
    });
  }
}

/** Connect options for `auth`; a ConfigError naming the field or file when it is inconsistent or unreadable. */
export function natsAuthOptions(auth: NatsAuth | undefined): Partial<NodeConnectionOptions> {
  if (!auth) return {};
  const methods = [
    auth.user !== undefined || auth.password !== undefined ? "user/password" : undefined,
    auth.token !== undefined ? "token" : undefined,
    auth.credsFile !== undefined ? "credsFile" : undefined,
    auth.nkeySeedFile !== undefined ? "nkeySeedFile" : undefined,
  ].filter((m) => m !== undefined);
  if (methods.length > 1) {
    throw new ConfigError(`nats: choose one way to authenticate, not ${methods.join(" and ")}`);
  }
  if ((auth.user === undefined) !== (auth.password === undefined)) {
    throw new ConfigError("nats: user and password go together (one of them is missing)");
  }
  const options: Partial<NodeConnectionOptions> = {};
  if (auth.user !== undefined) Object.assign(options, { user: auth.user, pass: auth.password });
  if (auth.token !== undefined) options.token = auth.token;
  if (auth.credsFile !== undefined) {
    options.authenticator = credsAuthenticator(readSecretFile("credsFile", auth.credsFile));
  }
  if (auth.nkeySeedFile !== undefined) {
    const seed = new TextDecoder().decode(readSecretFile("nkeySeedFile", auth.nkeySeedFile)).trim();
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  const tls = auth.tls;
  if (tls && (tls.caFile ?? tls.certFile ?? tls.keyFile) !== undefined) {
    if ((tls.certFile === undefined) !== (tls.keyFile === undefined)) {
      throw new ConfigError("nats.tls: certFile and keyFile go together (one of them is missing)");
    }
    // Read here so a missing file is named now, not as a handshake failure later.
    for (const [kind, file] of Object.entries(tls))
      if (file !== undefined) readSecretFile(`tls.${kind}`, file);
    options.tls = {
      ...(tls.caFile === undefined ? {} : { caFile: tls.caFile }),
      ...(tls.certFile === undefined ? {} : { certFile: tls.certFile, keyFile: tls.keyFile }),
    };
  }
  return options;
}

/**
 * Splits credentials out of the server URLs (nats://user:password@host or nats://token@host): the client
 * does not read them from a URL, so they become `auth` (unless `auth` already has a method, which wins).
 */
export function credentialsFromUrls(
  servers: string | string[],
  auth: NatsAuth | undefined,
): { servers: string | string[]; auth: NatsAuth | undefined } {
  const list = Array.isArray(servers) ? servers : [servers];
  let found: NatsAuth | undefined;
  const stripped = list.map((s) => {
    const m = /^([a-z]+:\/\/)([^/@]*)@(.*)$/.exec(s);
    if (!m) return s;
    const [user, ...rest] = m[2]!.split(":");
    const decoded = (v: string) => decodeURIComponent(v);
    found ??=
      rest.length > 0
        ? { user: decoded(user!), password: decoded(rest.join(":")) }
        : { token: decoded(user!) };
    return `${m[1]}${m[3]}`;
  });
  const hasMethod =
    auth !== undefined &&
    [auth.user, auth.password, auth.token, auth.credsFile, auth.nkeySeedFile].some((v) => v !== undefined);
  return {
    servers: Array.isArray(servers) ? stripped : stripped[0]!,
    auth: found === undefined || hasMethod ? auth : { ...auth, ...found },
  };
}

/** The server URLs with any user:password@ or token@ replaced, for messages and logs. */
export function redactServers(servers: string | string[]): string {
  return (Array.isArray(servers) ? servers : [servers])
    .map((s) => s.replace(/\/\/[^/@]*@/, "//***@"))
    .join(",");
}
