/**
 * One NATS connection per bus, with the JetStream client and manager. A connection failure becomes
 * UnavailableError naming the URL, so a missing server reads as such in service logs and tests.
 */
import { UnavailableError } from "@ferret/errors";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { setSha256Backend } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { credentialsFromUrls, natsAuthOptions, redactServers, type NatsAuth } from "./nats-auth.js";

export interface NatsHandles {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

/**
 * Oldest server we support: the v3 consumers API (consumers.get/fetch) needs 2.9.4 and the client
 * refuses it below that; checking here gives the clearer error, at connect time.
 */
const MIN_SERVER = [2, 9, 4];

export async function connectNats(
  servers: string | string[],
  options: { name?: string; timeoutMs?: number; asyncTraces?: boolean; auth?: NatsAuth } = {},
): Promise<NatsHandles> {
  // Credentials in a URL never reach a message or a log line.
  const shown = redactServers(servers);
  const fromUrls = credentialsFromUrls(servers, options.auth);
  const auth = natsAuthOptions(fromUrls.auth);
  // The object store hashes every chunk; node:crypto is several times faster than the default
  // pure-JS SHA-256 on large artifacts. Process-wide, set before any object-store call.
  setSha256Backend("native");
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: fromUrls.servers,
      name: options.name ?? "ferret",
      timeout: options.timeoutMs ?? 5_000,
      // Keep trying after a server restart instead of dying with the pod.
      maxReconnectAttempts: -1,
      noAsyncTraces: !(options.asyncTraces ?? false),
      ...auth,
    });
  } catch (err) {
    throw new UnavailableError(
      `cannot connect to NATS at ${shown}: ${(err as Error).message} (dev: infra/dev/nats.sh start)`,
      { cause: err, details: { servers: shown } },
    );
  }
  const version = nc.info?.version ?? "0.0.0";
  if (compareVersions(version, MIN_SERVER) < 0) {
    await nc.close();
    throw new UnavailableError(
      `nats-server ${version} is too old; Ferret needs ${MIN_SERVER.join(".")} or newer with JetStream`,
    );
  }
  try {
    const jsm = await jetstreamManager(nc);
    return { nc, js: jetstream(nc), jsm };
  } catch (err) {
    await nc.close();
    throw new UnavailableError(`NATS at ${shown} has no JetStream (start nats-server with -js)`, {
      cause: err,
    });
  }
}

function compareVersions(version: string, min: number[]): number {
  const parts = version.split(/[.-]/).map((p) => Number.parseInt(p, 10) || 0);
  for (let i = 0; i < min.length; i++) {
    const d = (parts[i] ?? 0) - min[i]!;
    if (d !== 0) return d;
  }
  return 0;
}
