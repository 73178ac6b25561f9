/**
 * In-process events with the semantics of the NATS adapter: plain subscribers get each event
 * published while they are subscribed, asynchronously (never inside publish()) and in order per
 * subscriber; a group is a durable competing consumer (a MemoryQueueTransport) created on first
 * subscribe, so it sees events from then on, including while its members are restarting.
 */
import type { Logger } from "@ferret/logging";
import { checkName, checkSubject, subjectMatches } from "../names.js";
import type { StopRegistry } from "../queue/consumer-loop.js";
import { DEFAULT_MAX_PAYLOAD_BYTES, HEADER, type RawMessage } from "../queue/message.js";
import { DEFAULT_DEDUP_WINDOW_MS } from "../queue/work-queue.js";
import type { EventBus, EventHandler, SubscribeOptions, Subscription } from "../types.js";
import {
  DEFAULT_EVENT_ACK_WAIT_MS,
  buildEvent,
  startGroupConsumer,
  toBusEvent,
} from "../events/event-delivery.js";
import { MemoryQueueTransport } from "./memory-transport.js";

interface LiveSubscriber {
  pattern: string;
  handler: EventHandler<unknown>;
  chain: Promise<void>;
}

interface Group {
  pattern: string;
  transport: MemoryQueueTransport;
}

export class MemoryEvents implements EventBus {
  private readonly live = new Set<LiveSubscriber>();
  private readonly groups = new Map<string, Group>();
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly registry: StopRegistry,
    private readonly logger: Logger,
  ) {}

  async publish<T = unknown>(type: string, data: T, options: { id?: string } = {}): Promise<void> {
    checkSubject("event type", type, false);
    const message = buildEvent(type, data, options.id, DEFAULT_MAX_PAYLOAD_BYTES);
    // Deduplicate by id like the NATS events stream (Nats-Msg-Id, 2 min window).
    const now = Date.now();
    for (const [id, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(id);
    }
    if ((this.seen.get(message.id) ?? 0) > now) return;
    this.seen.set(message.id, now + DEFAULT_DEDUP_WINDOW_MS);

    for (const sub of this.live) {
      if (!subjectMatches(sub.pattern, type)) continue;
      sub.chain = sub.chain.then(async () => {
        try {
          await sub.handler(toBusEvent(message, type, 1));
        } catch (err) {
          this.logger.warn(
            { err, type, event: message.id },
            "event handler failed (no retry without a group)",
          );
        }
      });
    }
    const stored: Promise<unknown>[] = [];
    for (const group of this.groups.values()) {
      if (subjectMatches(group.pattern, type)) stored.push(group.transport.publish(message));
    }
    await Promise.all(stored);
  }

  async subscribe<T = unknown>(
    pattern: string,
    handler: EventHandler<T>,
    options: SubscribeOptions = {},
  ): Promise<Subscription> {
    checkSubject("event pattern", pattern, true);
    if (options.group === undefined) {
      const sub: LiveSubscriber = {
        pattern,
        handler: handler as EventHandler<unknown>,
        chain: Promise.resolve(),
      };
      this.live.add(sub);
      const subscription: Subscription = {
        stop: async () => {
          this.live.delete(sub);
          this.registry.delete(subscription);
          await sub.chain;
        },
      };
      this.registry.add(subscription);
      return subscription;
    }
    const group = checkName("group", options.group);
    const key = `${group}\u0000${pattern}`;
    const transportOptions = {
      ackWaitMs: options.ackWaitMs ?? DEFAULT_EVENT_ACK_WAIT_MS,
      dedupWindowMs: DEFAULT_DEDUP_WINDOW_MS,
    };
    let entry = this.groups.get(key);
    if (entry === undefined) {
      entry = { pattern, transport: new MemoryQueueTransport(transportOptions, `events group ${group}`) };
      this.groups.set(key, entry);
    } else {
      entry.transport.configure(transportOptions);
    }
    return startGroupConsumer(
      entry.transport,
      group,
      handler,
      options,
      (m: RawMessage) => m.headers[HEADER.type] ?? "",
      this.registry,
      this.logger,
    );
  }

  /** Bus close: stop retry timers. */
  close(): void {
    for (const g of this.groups.values()) g.transport.pause();
  }
}
