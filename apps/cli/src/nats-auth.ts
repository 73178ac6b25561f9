/**
 * NATS credentials and TLS for the commands that join a cluster (--nats-url, --cluster): read from the
 * environment only, as FERRET_CLI_NATS__<FIELD> with the fields of the services' `nats` block
 * (@ferret/config natsSchema: USER and PASSWORD, TOKEN, CREDS_FILE, NKEY_SEED_FILE, TLS__CA_FILE,
 * TLS__CERT_FILE, TLS__KEY_FILE). Secrets stay out of flags, so they never show in a process listing or a
 * shell history; a URL's user:password@ or token@ still works and is overridden by these.
 */
import type { NatsAuth } from "@ferret/bus";
import { loadConfig, natsSchema } from "@ferret/config";
import { z } from "zod";

const CLI_NATS_ENV_PREFIX = "FERRET_CLI_";

const cliNatsSchema = z.object({ nats: natsSchema });

/** The auth and TLS the environment gives, or undefined; a ConfigError naming the variable's key when malformed. */
export function cliNatsAuth(env: NodeJS.ProcessEnv = process.env): NatsAuth | undefined {
  const {
    url: _url,
    eventsStream: _stream,
    eventsPrefix: _prefix,
    ...auth
  } = loadConfig(cliNatsSchema, {
    env,
    prefix: CLI_NATS_ENV_PREFIX,
  }).nats;
  const given = Object.values(auth).some((v) => v !== undefined);
  return given ? auth : undefined;
}
