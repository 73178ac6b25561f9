/**
 * The cluster bus: one NATS connection carrying JetStream work queues, events, KV and the object
 * store. Needs nats-server 2.9+ with JetStream; see README.md for what 2.9 lacks and how we cope.
 */
import { silentLogger, type Logger } from "@ferret/logging";
import { checkName } from "../names.js";
import type { StopRegistry } from "../queue/consumer-loop.js";
import type { TransportWorkQueue } from "../queue/work-queue.js";
import { deadLetterQueueOptions, resolveQueueOptions } from "../queue/work-queue.js";
import type {
  Bus,
  KvOptions,
  KvStore,
  ObjectStore,
  ObjectStoreOptions,
  QueueOptions,
  WorkQueue,
} from "../types.js";
import { connectNats, type NatsHandles } from "./connection.js";
import type { NatsAuth } from "./nats-auth.js";
import { NatsEvents, type NatsEventsConfig } from "./nats-events.js";
import { openJetStreamQueue } from "./jetstream-queue.js";
import { openNatsKv } from "./nats-kv.js";
import { openNatsObjectStore } from "./nats-object-store.js";

export interface NatsBusConfig {
  kind: "nats";
  /** e.g. nats://127.0.0.1:4222, or several seed URLs. */
  url: string | string[];
  /** Credentials and TLS (see NatsAuth); a URL may also carry user:password@ or token@. */
  auth?: NatsAuth;
  /** Connection name shown by the server (e.g. the service and pod). */
  name?: string;
  logger?: Logger;
  events?: NatsEventsConfig;
  /** Server-side wait of one pull (>= 1000 ms); also bounds how long stop() waits for an open pull. */
  pullExpiresMs?: number;
  connectTimeoutMs?: number;
  /**
   * Capture the caller's stack on every request so a failed request's error shows where it was made.
   * Off by default: building that Error costs ~5% of a busy worker's CPU (bench/annotate profile), and
   * Ferret's errors already name the subject, stream or key.
   */
  asyncTraces?: boolean;
}

export class NatsBus implements Bus {
  readonly kind = "nats" as const;
  readonly events: NatsEvents;
  private readonly registry: StopRegistry = new Set();
  private readonly logger: Logger;

  private constructor(
    private readonly handles: NatsHandles,
    private readonly config: NatsBusConfig,
  ) {
    this.logger = (config.logger ?? silentLogger()).child({ bus: "nats" });
    this.events = new NatsEvents(
      handles,
      {
        ...config.events,
        ...(config.pullExpiresMs === undefined ? {} : { pullExpiresMs: config.pullExpiresMs }),
      },
      this.registry,
      this.logger,
    );
  }

  static async connect(config: NatsBusConfig): Promise<NatsBus> {
    const handles = await connectNats(config.url, {
      ...(config.name === undefined ? {} : { name: config.name }),
      ...(config.connectTimeoutMs === undefined ? {} : { timeoutMs: config.connectTimeoutMs }),
      asyncTraces: config.asyncTraces ?? false,
      ...(config.auth === undefined ? {} : { auth: config.auth }),
    });
    return new NatsBus(handles, config);
  }

  async queue<T = unknown>(name: string, options: QueueOptions = {}): Promise<WorkQueue<T>> {
    checkName("queue", name);
    const resolved = resolveQueueOptions(name, options);
    let dlq: TransportWorkQueue<T> | undefined;
    if (resolved.deadLetter !== false) {
      const dlqName = checkName("dead-letter queue", resolved.deadLetter);
      dlq = await openJetStreamQueue<T>(
        this.handles,
        dlqName,
        resolveQueueOptions(dlqName, deadLetterQueueOptions(resolved)),
        undefined,
        this.registry,
        this.logger,
        this.config.pullExpiresMs,
      );
    }
    return openJetStreamQueue<T>(
      this.handles,
      name,
      resolved,
      dlq,
      this.registry,
      this.logger,
      this.config.pullExpiresMs,
    );
  }

  kv(bucket: string, options: KvOptions & { codec: "bytes" }): Promise<KvStore<Uint8Array>>;
  kv<T = unknown>(bucket: string, options?: KvOptions): Promise<KvStore<T>>;
  async kv<T = unknown>(bucket: string, options: KvOptions = {}): Promise<KvStore<T>> {
    return openNatsKv<T>(this.handles, checkName("KV bucket", bucket), options, this.logger);
  }

  async objects(bucket: string, options: ObjectStoreOptions = {}): Promise<ObjectStore> {
    return openNatsObjectStore(this.handles, checkName("object bucket", bucket), options);
  }

  async close(options: { graceMs?: number } = {}): Promise<void> {
    await Promise.all([...this.registry].map((c) => c.stop(options)));
    if (!this.handles.nc.isClosed()) await this.handles.nc.drain();
  }
}
