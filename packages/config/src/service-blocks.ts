import { z } from "zod";
import { loadConfig, type LoadConfigOptions } from "./load-config.js";
import { block, countField, flagField, grpcServerSchema, portField, textField } from "./schema-fields.js";

/** The `metrics` block: Prometheus GET /metrics (and /healthz) on a port of its own. */
export const metricsServerSchema = (defaultPort: number) =>
  block({
    enabled: flagField(true),
    host: z.string().min(1).default("0.0.0.0"),
    port: portField(defaultPort),
  });

/** The `nats` block: with a URL the service joins the cluster's JetStream; without one it runs embedded. */
export const natsSchema = block({
  /** e.g. nats://nats:4222; unset: embedded mode (the in-process bus). */
  url: z.string().min(1).optional(),
  /** Events stream and subject prefix (defaults: the bus's FERRET_EVENTS and ferret.events). */
  eventsStream: z.string().min(1).optional(),
  eventsPrefix: z.string().min(1).optional(),
  /** Credentials (one way): user + password, token, a .creds file, or an nkey seed file. Secrets: env only. */
  user: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  credsFile: z.string().min(1).optional(),
  nkeySeedFile: z.string().min(1).optional(),
  /** TLS: the CA the server's certificate chains to; a client certificate and key for mTLS. */
  tls: z
    .object({
      caFile: z.string().min(1).optional(),
      certFile: z.string().min(1).optional(),
      keyFile: z.string().min(1).optional(),
    })
    .optional(),
});

/**
 * The `artifacts` block: in embedded mode the directory of the in-process bus's object store. A service adds
 * fields of its own with `extra` (the evaluator's `source`); each needs a default, as the block may be absent.
 */
export const artifactsSchema = <Extra extends z.ZodRawShape = Record<never, never>>(
  defaultDir: string,
  extra?: Extra,
) => block({ dir: z.string().min(1).default(defaultDir), ...(extra ?? ({} as Extra)) });

/**
 * A job worker's block (`jobs`, the encoder's `shards`): whether this replica runs the worker, its queue and
 * the bucket of its job records; `extra` adds the stage's own fields, each with a default.
 */
export const jobsBlock = <Extra extends z.ZodRawShape = Record<never, never>>(
  defaults: { queue: string; jobsBucket: string },
  extra?: Extra,
) =>
  block({
    /** Run a worker in this replica. */
    enabled: flagField(true),
    queue: textField(defaults.queue),
    /** KV bucket of the job records. */
    jobsBucket: textField(defaults.jobsBucket),
    ...(extra ?? ({} as Extra)),
  });

/**
 * The `pipeline` block: how this process hosts its pipeline stages in cluster mode (`ferret serve`). A stage
 * message not extended within `ackWaitMs` goes to another replica; the host extends it every third of that
 * while the stage runs, so the wait only decides how soon a killed replica's stage moves on.
 */
export const pipelineHostSchema = block({
  ackWaitMs: countField(60_000, 100),
});

export interface ServiceBlockDefaults {
  readonly grpcPort: number;
  readonly metricsPort: number;
  /** Default ".ferret/artifacts". */
  readonly artifactsDir?: string;
}

/**
 * The blocks every service's config has (grpc, metrics, nats, artifacts), with the service's own ports;
 * spread into its schema: `z.object({ ...serviceConfigBlocks({ grpcPort: 50056, metricsPort: 9466 }), ... })`.
 */
export const serviceConfigBlocks = (defaults: ServiceBlockDefaults) => ({
  grpc: grpcServerSchema(defaults.grpcPort),
  metrics: metricsServerSchema(defaults.metricsPort),
  nats: natsSchema,
  artifacts: artifactsSchema(defaults.artifactsDir ?? ".ferret/artifacts"),
  pipeline: pipelineHostSchema,
});

/** What the service runtime reads of a service's config (its own blocks may add fields). */
export interface ServiceBlocksConfig {
  readonly grpc: z.output<ReturnType<typeof grpcServerSchema>>;
  readonly metrics: z.output<ReturnType<typeof metricsServerSchema>>;
  readonly nats: z.output<typeof natsSchema>;
  readonly artifacts: { readonly dir: string };
  readonly pipeline: z.output<typeof pipelineHostSchema>;
}

/**
 * A service's config: the shared blocks with its ports, plus its own blocks (which may replace a shared one,
 * as the evaluator's `artifacts` does), read by `load` from `${prefix}*` variables and the YAML file named
 * by `${prefix}CONFIG`.
 */
export function serviceConfig<Own extends z.ZodRawShape>(
  prefix: string,
  defaults: ServiceBlockDefaults,
  own: Own,
) {
  const schema = z.object({ ...serviceConfigBlocks(defaults), ...own });
  const load = (options: Omit<LoadConfigOptions, "prefix"> = {}): z.output<typeof schema> =>
    loadConfig(schema, { ...options, prefix });
  return { schema, load };
}
