/**
 * The embedded (single-process) bus: queues, events and KV in memory, artifacts on disk under `dir`.
 * Same contract as the NATS bus; what does not survive a process restart is queued work, events and
 * KV state (the embedded pipeline re-derives them from the artifacts and its own run records).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { silentLogger, type Logger } from "@ferret/logging";
import { checkName } from "../names.js";
import type { StopRegistry } from "../queue/consumer-loop.js";
import { DEFAULT_MAX_PAYLOAD_BYTES } from "../queue/message.js";
import {
  TransportWorkQueue,
  deadLetterQueueOptions,
  resolveQueueOptions,
  type ResolvedQueueOptions,
} from "../queue/work-queue.js";
import type { Bus, KvOptions, KvStore, ObjectStore, QueueOptions, WorkQueue } from "../types.js";
import { kvCodec } from "../kv/kv-codec.js";
import { FsObjectStore } from "./fs-object-store.js";
import { MemoryEvents } from "./memory-events.js";
import { MemoryKv, MemoryKvBucket } from "./memory-kv.js";
import { MemoryQueueTransport } from "./memory-transport.js";

export interface MemoryBusConfig {
  kind: "memory";
  /** Root directory for artifacts (object store buckets are subdirectories). */
  dir: string;
  logger?: Logger;
}

export class MemoryBus implements Bus {
  readonly kind = "memory" as const;
  readonly events: MemoryEvents;
  private readonly registry: StopRegistry = new Set();
  private readonly transports = new Map<string, MemoryQueueTransport>();
  private readonly buckets = new Map<string, MemoryKvBucket>();
  private readonly logger: Logger;

  private constructor(
    private readonly dir: string,
    logger: Logger | undefined,
  ) {
    this.logger = (logger ?? silentLogger()).child({ bus: "memory" });
    this.events = new MemoryEvents(this.registry, this.logger);
  }

  static async create(config: MemoryBusConfig): Promise<MemoryBus> {
    await mkdir(join(config.dir, "objects"), { recursive: true });
    return new MemoryBus(config.dir, config.logger);
  }

  async queue<T = unknown>(name: string, options: QueueOptions = {}): Promise<WorkQueue<T>> {
    checkName("queue", name);
    const resolved = resolveQueueOptions(name, options);
    const dlq =
      resolved.deadLetter === false
        ? undefined
        : this.open<T>(
            checkName("dead-letter queue", resolved.deadLetter),
            resolveQueueOptions(resolved.deadLetter, deadLetterQueueOptions(resolved)),
            undefined,
          );
    return this.open<T>(name, resolved, dlq);
  }

  private open<T>(
    name: string,
    options: ResolvedQueueOptions,
    dlq: TransportWorkQueue<T> | undefined,
  ): TransportWorkQueue<T> {
    const transportOptions = { ackWaitMs: options.ackWaitMs, dedupWindowMs: options.dedupWindowMs };
    let transport = this.transports.get(name);
    if (transport === undefined) {
      const created = new MemoryQueueTransport(transportOptions, name, () => {
        if (this.transports.get(name) === created) this.transports.delete(name);
      });
      transport = created;
      this.transports.set(name, transport);
    } else {
      transport.configure(transportOptions);
    }
    return new TransportWorkQueue<T>(
      name,
      transport,
      options,
      dlq,
      () => DEFAULT_MAX_PAYLOAD_BYTES,
      this.registry,
      this.logger,
    );
  }

  kv(bucket: string, options: KvOptions & { codec: "bytes" }): Promise<KvStore<Uint8Array>>;
  kv<T = unknown>(bucket: string, options?: KvOptions): Promise<KvStore<T>>;
  async kv<T = unknown>(bucket: string, options: KvOptions = {}): Promise<KvStore<T>> {
    checkName("KV bucket", bucket);
    let state = this.buckets.get(bucket);
    if (state === undefined) {
      // Like a NATS KV bucket, limits are fixed by whoever creates the bucket first.
      state = new MemoryKvBucket(options.ttlMs);
      this.buckets.set(bucket, state);
    }
    const owned = state;
    return new MemoryKv<T>(
      bucket,
      owned,
      kvCodec<T>(options.codec),
      () => {
        if (this.buckets.get(bucket) === owned) this.buckets.delete(bucket);
      },
      this.logger,
    );
  }

  async objects(bucket: string): Promise<ObjectStore> {
    return FsObjectStore.open(checkName("object bucket", bucket), join(this.dir, "objects"));
  }

  async close(options: { graceMs?: number } = {}): Promise<void> {
    await Promise.all([...this.registry].map((c) => c.stop(options)));
    for (const t of this.transports.values()) t.pause();
    this.events.close();
  }
}
