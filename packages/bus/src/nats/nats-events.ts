/**
 * Events on NATS. Every event is published with JetStream into one stream (default FERRET_EVENTS,
 * subjects `${prefix}.>`, limits retention, 7-day max age). Why JetStream rather than core NATS:
 * the pipeline is choreographed by these events, and a stage that is restarting or scaled to zero
 * when "corpus.indexed" is announced must still react to it; a stored event plus a durable consumer
 * per group gives that (at-least-once, with retries). Plain subscribers (no group) use a core NATS
 * subscription on the same subject: a JetStream publish is also an ordinary NATS message, so live
 * observers (e.g. a WatchJob stream to a client) cost no consumer state on the server.
 *
 * A group is a durable pull consumer named `<group>-<hash of pattern>` filtered on the pattern, with
 * deliver policy "new" (a new group does not replay a week of history) and ack semantics as for
 * queues. Events are deduplicated by id within the stream's 2-minute duplicate window.
 */
import { createHash } from "node:crypto";
import type { Logger } from "@ferret/logging";
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { nanos, type Subscription as NatsSubscription } from "@nats-io/transport-node";
import { checkName, checkSubject } from "../names.js";
import type { StopRegistry } from "../queue/consumer-loop.js";
import { HEADER, type RawMessage } from "../queue/message.js";
import { DEFAULT_DEDUP_WINDOW_MS } from "../queue/work-queue.js";
import type { EventBus, EventHandler, SubscribeOptions, Subscription } from "../types.js";
import {
  DEFAULT_EVENT_ACK_WAIT_MS,
  buildEvent,
  startGroupConsumer,
  toBusEvent,
} from "../events/event-delivery.js";
import type { NatsHandles } from "./connection.js";
import { maxPayloadBytes } from "./jetstream-queue.js";
import { ensureConsumer, ensureStream } from "./jetstream-setup.js";
import { JetStreamTransport, ferretHeaders, publishMessage } from "./jetstream-transport.js";

export interface NatsEventsConfig {
  /** Stream holding events. Default FERRET_EVENTS. */
  stream?: string;
  /** Subject prefix; an event of type t is published on `${prefix}.${t}`. Default ferret.events. */
  prefix?: string;
  /** How long events are kept for groups that are behind. Default 7 days. */
  maxAgeMs?: number;
  pullExpiresMs?: number;
}

const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

export class NatsEvents implements EventBus {
  private readonly stream: string;
  private readonly prefix: string;
  private ready: Promise<unknown> | undefined;

  constructor(
    private readonly handles: NatsHandles,
    private readonly config: NatsEventsConfig,
    private readonly registry: StopRegistry,
    private readonly logger: Logger,
  ) {
    this.stream = config.stream ?? "FERRET_EVENTS";
    this.prefix = checkSubject("event prefix", config.prefix ?? "ferret.events", false);
  }

  async publish<T = unknown>(type: string, data: T, options: { id?: string } = {}): Promise<void> {
    checkSubject("event type", type, false);
    const message = buildEvent(type, data, options.id, maxPayloadBytes(this.handles));
    await this.ensureStream();
    await publishMessage(this.handles.js, `${this.prefix}.${type}`, message);
  }

  async subscribe<T = unknown>(
    pattern: string,
    handler: EventHandler<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    checkSubject("event pattern", pattern, true);
    if (options.group === undefined) return this.subscribeLive(pattern, handler);
    const group = checkName("group", options.group);
    await this.ensureStream();
    const consumer = `${group}-${createHash("sha256").update(pattern).digest("hex").slice(0, 10)}`;
    await ensureConsumer(this.handles.jsm, this.stream, {
      durable_name: consumer,
      filter_subject: `${this.prefix}.${pattern}`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.New,
      ack_wait: nanos(options.ackWaitMs ?? DEFAULT_EVENT_ACK_WAIT_MS),
      max_deliver: -1,
      max_ack_pending: -1,
    });
    return startGroupConsumer(
      this.transport(consumer),
      group,
      handler,
      options,
      (m) => this.typeOf(m),
      this.registry,
      this.logger,
    );
  }

  private subscribeLive<T>(pattern: string, handler: EventHandler<T>): Subscription {
    const sub: NatsSubscription = this.handles.nc.subscribe(`${this.prefix}.${pattern}`);
    const done = (async () => {
      for await (const msg of sub) {
        const headers = ferretHeaders(msg);
        const raw: RawMessage = { id: headers[HEADER.id] ?? "", payload: msg.data, headers };
        try {
          await handler(toBusEvent<T>(raw, msg.subject.slice(this.prefix.length + 1), 1));
        } catch (err) {
          this.logger.warn({ err, subject: msg.subject }, "event handler failed (no retry without a group)");
        }
      }
    })();
    const subscription: Subscription = {
      stop: async () => {
        this.registry.delete(subscription);
        // drain: take what the server already sent, then end the iterator.
        if (!sub.isClosed()) await sub.drain().catch(() => undefined);
        await done;
      },
    };
    this.registry.add(subscription);
    return subscription;
  }

  private typeOf(message: RawMessage): string {
    return message.headers[HEADER.type] ?? "";
  }

  private transport(consumer: string): JetStreamTransport {
    return new JetStreamTransport(this.handles.js, this.handles.jsm, {
      stream: this.stream,
      consumer,
      ...(this.config.pullExpiresMs === undefined ? {} : { pullExpiresMs: this.config.pullExpiresMs }),
    });
  }

  private ensureStream(): Promise<unknown> {
    this.ready ??= ensureStream(this.handles.jsm, {
      name: this.stream,
      subjects: [`${this.prefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(this.config.maxAgeMs ?? DEFAULT_MAX_AGE_MS),
      duplicate_window: nanos(DEFAULT_DEDUP_WINDOW_MS),
    }).catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /** Deletes the events stream (tests and teardown). */
  async destroy(): Promise<void> {
    await this.handles.jsm.streams.delete(this.stream).catch(() => undefined);
    this.ready = undefined;
  }
}
