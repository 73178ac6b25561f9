/**
 * The bus contract: work queues, events, key-value state and an artifact store behind one interface,
 * with a NATS JetStream adapter (cluster mode) and an in-process adapter (embedded mode). Stage code
 * depends only on these types; `createBus` picks the adapter. The contract test suite
 * (src/test-support/contract) runs unchanged against both adapters.
 */
import type { Readable } from "node:stream";
import type { BackoffOptions } from "./backoff.js";

export type { BackoffOptions } from "./backoff.js";

/** Which adapter a bus runs on. */
export type BusKind = "nats" | "memory";

export interface Bus {
  readonly kind: BusKind;
  /**
   * Opens (creating idempotently) the work queue `name` ([A-Za-z0-9_-]+) and its dead-letter queue.
   * Options are applied by every caller; the last one to open a queue sets its ack wait and limits.
   */
  queue<T = unknown>(name: string, options?: QueueOptions): Promise<WorkQueue<T>>;
  /** Stage-completion events (choreography) and live notifications. */
  readonly events: EventBus;
  /** Opens (creating idempotently) the KV bucket `bucket` ([A-Za-z0-9_-]+). */
  kv(bucket: string, options: KvOptions & { codec: "bytes" }): Promise<KvStore<Uint8Array>>;
  kv<T = unknown>(bucket: string, options?: KvOptions): Promise<KvStore<T>>;
  /** Opens (creating idempotently) the artifact bucket `bucket` ([A-Za-z0-9_-]+). */
  objects(bucket: string, options?: ObjectStoreOptions): Promise<ObjectStore>;
  /**
   * Stops every consumer and subscription started through this bus (in-flight jobs get `graceMs`
   * to finish, then their signal is aborted), then drains and closes the connection.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

// ---------------------------------------------------------------- work queues

export interface QueueOptions {
  /**
   * How long a delivery may go without ack/nak/working() before it is handed to another worker.
   * Default 30 s: long enough for a batch step, short enough that a dead pod's jobs move on quickly.
   * Long jobs call job.working() more often than this instead of raising it.
   */
  ackWaitMs?: number;
  /** Deliveries (first try included) before a failing job is dead-lettered. Default 5. */
  maxDeliveries?: number;
  /** Delay before a failed job is retried (exponential with cap). */
  backoff?: Partial<BackoffOptions>;
  /** Publishes with the same job id within this window are dropped as duplicates. Default 2 min. */
  dedupWindowMs?: number;
  /**
   * Dead-letter queue name, or false for none (jobs that exhaust their deliveries are then logged
   * and dropped). Default `${name}-dlq`.
   */
  deadLetter?: string | false;
}

export interface PublishOptions {
  /**
   * Job id; also the deduplication key (NATS: Nats-Msg-Id). Give a deterministic id (e.g.
   * `${corpus}:${shard}`) so a publisher that retries after a crash does not enqueue the job twice.
   * Default: a random UUID.
   */
  id?: string;
}

export interface PublishResult {
  id: string;
  /** True when a job with this id was already published within the dedup window (nothing enqueued). */
  duplicate: boolean;
}

export interface WorkQueue<T = unknown> {
  readonly name: string;
  /** Enqueues a job. `data` is a Uint8Array (sent as is) or anything JSON.stringify accepts. */
  publish(data: T, options?: PublishOptions): Promise<PublishResult>;
  /**
   * Starts a worker on this queue: up to `concurrency` handlers run at once; replicas that consume
   * the same queue share its jobs. Resolve to ack; throw to retry later (nak with backoff) or, when
   * deliveries are exhausted or the error is a NonRetryableError, to dead-letter the job.
   */
  consume(handler: JobHandler<T>, options?: ConsumeOptions<T>): Consumer;
  /** Jobs waiting to be delivered and jobs delivered but not yet acked (for autoscaling and tests). */
  stats(): Promise<QueueStats>;
  /** The dead-letter queue, or undefined when dead-lettering is off. */
  deadLetters(): WorkQueue<T> | undefined;
  /** Deletes the queue, its dead-letter queue and every job in them (teardown and tests). */
  destroy(): Promise<void>;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface Job<T = unknown> {
  readonly id: string;
  readonly queue: string;
  readonly data: T;
  /** 1 on the first delivery; counts every delivery, including ones whose worker died. */
  readonly deliveryCount: number;
  /** When the message was stored (for a dead letter: when it was dead-lettered). */
  readonly publishedAt: Date;
  /** Set on jobs read from a dead-letter queue. */
  readonly deadLetter?: DeadLetterInfo;
  /**
   * Aborted when the ack wait passed without working() (the job may already run elsewhere) or when
   * the consumer is stopped and the grace period is over. Pass it to fetch/long loops.
   */
  readonly signal: AbortSignal;
  /** Extends the ack deadline by another ack wait (NATS: +WPI). Call it regularly in long jobs. */
  working(): void;
}

export interface DeadLetterInfo {
  /** The queue the job failed on. */
  queue: string;
  /** The last error message (single line), or why the job was given up. */
  reason: string;
  /** Deliveries made before the job was dead-lettered. */
  deliveryCount: number;
  failedAt: Date;
}

export interface ConsumeOptions<T = unknown> {
  /** Handlers run at once by this worker. Default 1. */
  concurrency?: number;
  /**
   * Called when the bus gives a job up: its deliveries are exhausted, its handler threw a
   * NonRetryableError, or its last allowed delivery never settled (worker died, ack wait passed). It
   * runs before the job is dead-lettered, so a stage can mark its own record failed without knowing
   * the delivery limit. If it rejects, the job is retried later and given up again: make it idempotent.
   */
  onGiveUp?: (job: Job<T>, info: GiveUpInfo) => Promise<void> | void;
}

export interface GiveUpInfo {
  /** One line: the last error's message, or why the job was given up. */
  reason: string;
  /** What the last delivery threw; undefined when that delivery never settled. */
  error: unknown;
  /** Deliveries made, the last one included. */
  deliveryCount: number;
}

export interface Consumer {
  /**
   * Stops pulling, waits up to `graceMs` (default 10 s) for running handlers, then aborts their
   * signals and returns. A job whose handler has not finished is redelivered after its ack wait.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
}

export interface QueueStats {
  /** Stored and waiting to be delivered. */
  pending: number;
  /** Delivered and not yet acked, including failed jobs waiting out their retry delay (as NATS counts them). */
  inFlight: number;
}

// ---------------------------------------------------------------- events

export interface EventBus {
  /**
   * Publishes event `type` (dot-separated tokens, e.g. "corpus.indexed"; on NATS the subject is
   * `${eventPrefix}.${type}`, by default ferret.events.corpus.indexed).
   */
  publish<T = unknown>(type: string, data: T, options?: { id?: string }): Promise<void>;
  /**
   * Subscribes to events whose type matches `pattern` (NATS wildcards: `*` one token, `>` the rest).
   * With `group`: at-least-once, replicas with the same group share the events, retried with backoff
   * on failure, kept while no member runs (durable). Without: every subscriber gets each event
   * published while it is subscribed, at most once (live observers).
   */
  subscribe<T = unknown>(
    pattern: string,
    handler: EventHandler<T>,
    options?: SubscribeOptions,
  ): Promise<Subscription>;
}

export type EventHandler<T> = (event: BusEvent<T>) => Promise<void> | void;

export interface BusEvent<T = unknown> {
  type: string;
  id: string;
  data: T;
  time: Date;
  /** 1 on the first delivery (always 1 without a group). */
  deliveryCount: number;
}

export interface SubscribeOptions {
  /** Durable group name ([A-Za-z0-9_-]+); see EventBus.subscribe. */
  group?: string;
  /** Group only: deliveries before a failing event is dropped (and logged). Default 5. */
  maxDeliveries?: number;
  /** Group only: retry delays. */
  backoff?: Partial<BackoffOptions>;
  /** Group only: ack wait, as for queues. Default 30 s. */
  ackWaitMs?: number;
  /** Group only: handlers run at once. Default 1 (events of a group are then handled in order). */
  concurrency?: number;
}

export interface Subscription {
  stop(options?: { graceMs?: number }): Promise<void>;
}

// ---------------------------------------------------------------- KV

/** Limits are fixed when the bucket is first created; later opens use the bucket as it is. */
export interface KvOptions {
  /** "json" (default): values are JSON; "bytes": values are Uint8Array, stored as is. */
  codec?: "json" | "bytes";
  /** Revisions kept per key (1-64). Default 1. */
  history?: number;
  /** Entries expire this long after their last write. Default: never. */
  ttlMs?: number;
}

export interface KvEntry<T> {
  key: string;
  value: T;
  /** Increases with every write to the bucket; pass it to update() for compare-and-set. */
  revision: number;
  updatedAt: Date;
}

export interface KvChange<T> {
  key: string;
  operation: "put" | "delete";
  /** Undefined for deletes. */
  value: T | undefined;
  revision: number;
}

/**
 * Keys: [-/_=.A-Za-z0-9]+, not starting or ending with "." (NATS KV rules, enforced by both adapters).
 */
export interface KvStore<T = unknown> {
  readonly bucket: string;
  get(key: string): Promise<KvEntry<T> | undefined>;
  /** Writes unconditionally; returns the new revision. */
  put(key: string, value: T): Promise<number>;
  /** Writes only if the key has no value; AlreadyExistsError otherwise. Returns the revision. */
  create(key: string, value: T): Promise<number>;
  /** Writes only if the key is still at `revision`; ConflictError otherwise. Returns the new revision. */
  update(key: string, value: T, revision: number): Promise<number>;
  /** Deletes (if `revision` is given, only if the key is still at it; ConflictError otherwise). */
  delete(key: string, options?: { revision?: number }): Promise<void>;
  /** Keys with a value, optionally filtered by a wildcard pattern (`*`, `>`). */
  keys(pattern?: string): Promise<string[]>;
  /**
   * Calls `handler` with the current value of each matching key, then with every later change,
   * in revision order, until the returned subscription is stopped.
   */
  watch(pattern: string, handler: (change: KvChange<T>) => void | Promise<void>): Promise<Subscription>;
  /** Deletes the bucket and all its keys. */
  destroy(): Promise<void>;
}

// ---------------------------------------------------------------- objects

export interface ObjectStoreOptions {
  /** NATS only: chunk size (bytes). Default 256 KiB, capped by the server's max_payload. */
  chunkSizeBytes?: number;
}

/** A Node stream or any async iterable of byte chunks (also a web ReadableStream). */
export type ObjectSource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

export interface PutObjectOptions {
  description?: string;
  /** Free-form string metadata (keys starting with "ferret-" are reserved). */
  metadata?: Record<string, string>;
  /** When given, a put whose bytes hash differently fails with ChecksumMismatchError and stores nothing. */
  expectedSha256?: string;
}

export interface ObjectInfo {
  bucket: string;
  name: string;
  size: number;
  /** Lower-case hex SHA-256 of the content. */
  sha256: string;
  modified: Date;
  description?: string;
  metadata: Record<string, string>;
}

export interface ObjectDownload {
  info: ObjectInfo;
  /**
   * The content. The stream fails with ChecksumMismatchError at the end if the bytes do not hash to
   * the expected SHA-256 (the recorded one, or `expectedSha256`), so a consumer must treat data as
   * untrusted until the stream ends cleanly (e.g. write to a temp file, rename on success).
   */
  stream: Readable;
}

export interface ObjectStore {
  readonly bucket: string;
  put(name: string, source: ObjectSource, options?: PutObjectOptions): Promise<ObjectInfo>;
  /** NotFoundError when `name` does not exist. */
  get(name: string, options?: { expectedSha256?: string }): Promise<ObjectDownload>;
  /** Reads the whole object into memory, verifying its checksum. */
  getBytes(name: string, options?: { expectedSha256?: string }): Promise<Uint8Array>;
  info(name: string): Promise<ObjectInfo | undefined>;
  list(): Promise<ObjectInfo[]>;
  /** Returns false when there was nothing to delete. */
  delete(name: string): Promise<boolean>;
  /** Deletes the bucket and all its objects. */
  destroy(): Promise<void>;
}
