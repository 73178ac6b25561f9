/**
 * Queue transport on a JetStream stream and a durable pull consumer. Each next() is a one-message
 * pull (fetch with max_messages 1) so a worker only receives a job when a slot is free (see
 * consumer-loop.ts). Stopping a pull early is safe: nats-server 2.9 drops a pull request once its
 * reply subject loses interest, so a message is not delivered into a dead inbox (checked against the
 * dev server; a message already in flight at that moment comes back after its ack wait).
 */
import { InternalError } from "@ferret/errors";
import type { Consumer as JsConsumer, JetStreamClient, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { QueueStats } from "../types.js";
import type { RawMessage } from "../queue/message.js";
import type { Delivery, QueueTransport } from "../queue/transport.js";
import { API, apiCode } from "./api-errors.js";

/** Server-side wait of one pull; also the longest a stopped worker waits for its open pull to end. */
export const DEFAULT_PULL_EXPIRES_MS = 5_000;
const ACK_CONFIRM_TIMEOUT_MS = 5_000;

export interface JetStreamTransportConfig {
  stream: string;
  consumer: string;
  /** Where publish() sends messages; none for a consume-only transport. */
  subject?: string;
  pullExpiresMs?: number;
}

export class JetStreamTransport implements QueueTransport {
  private consumerHandle: Promise<JsConsumer> | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly config: JetStreamTransportConfig,
  ) {}

  publish(message: RawMessage): Promise<{ duplicate: boolean }> {
    const subject = this.config.subject;
    if (subject === undefined) throw new InternalError(`transport for ${this.config.stream} cannot publish`);
    return publishMessage(this.js, subject, message);
  }

  async next(signal: AbortSignal): Promise<Delivery | null> {
    if (signal.aborted) return null;
    const consumer = await this.consumer();
    const messages = await consumer.fetch({
      max_messages: 1,
      expires: this.config.pullExpiresMs ?? DEFAULT_PULL_EXPIRES_MS,
    });
    const onAbort = () => messages.stop();
    // The abort may have come while the pull was being set up.
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const msg of messages) return toDelivery(msg);
      return null;
    } catch (err) {
      // The cached handle may point at a deleted consumer; look it up again next time.
      this.consumerHandle = undefined;
      throw err;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async stats(): Promise<QueueStats> {
    const [stream, consumer] = await Promise.all([
      this.jsm.streams.info(this.config.stream),
      this.jsm.consumers.info(this.config.stream, this.config.consumer),
    ]);
    // Work-queue retention: the stream holds exactly the jobs not yet acked or termed.
    const inFlight = consumer.num_ack_pending;
    return { pending: Math.max(0, stream.state.messages - inFlight), inFlight };
  }

  async destroy(): Promise<void> {
    try {
      await this.jsm.streams.delete(this.config.stream);
    } catch (err) {
      if (apiCode(err) !== API.streamNotFound) throw err;
    }
  }

  private consumer(): Promise<JsConsumer> {
    this.consumerHandle ??= this.js.consumers.get(this.config.stream, this.config.consumer);
    const handle = this.consumerHandle;
    handle.catch(() => {
      if (this.consumerHandle === handle) this.consumerHandle = undefined;
    });
    return handle;
  }
}

export async function publishMessage(
  js: JetStreamClient,
  subject: string,
  message: RawMessage,
): Promise<{ duplicate: boolean }> {
  const h = natsHeaders();
  for (const [k, v] of Object.entries(message.headers)) h.set(k, v);
  // msgID sets Nats-Msg-Id: the stream drops a second publish of the same id within its
  // duplicate_window, which makes publisher retries safe.
  const ack = await js.publish(subject, message.payload, { msgID: message.id, headers: h });
  return { duplicate: ack.duplicate };
}

/** Our own headers of a message (Ferret-*). */
export function ferretHeaders(msg: { headers?: { keys(): string[]; get(k: string): string } | undefined }) {
  const headers: Record<string, string> = {};
  // Only our own headers travel on (e.g. into a dead letter): re-publishing Nats-* headers such as
  // Nats-Expected-* would change what the server does with the copy.
  for (const key of msg.headers?.keys() ?? []) {
    if (key.startsWith("Ferret-")) headers[key] = msg.headers!.get(key);
  }
  return headers;
}

function toDelivery(msg: JsMsg): Delivery {
  const headers = ferretHeaders(msg);
  return {
    id: headers["Ferret-Id"] ?? `${msg.info.stream}:${msg.seq}`,
    payload: msg.data,
    headers,
    deliveryCount: msg.info.deliveryCount,
    publishedAt: msg.time,
    ack: async () => {
      // Double ack: resolves once the server confirms, so "acked" means the job left the stream.
      const ok = await msg.ackAck({ timeout: ACK_CONFIRM_TIMEOUT_MS });
      if (!ok) throw new InternalError(`ack of ${msg.info.stream}:${msg.seq} was not confirmed`);
    },
    nak: (delayMs) => msg.nak(delayMs > 0 ? delayMs : undefined),
    // No reason argument: nats-server < 2.11 does not parse "+TERM <reason>" and ignores the whole
    // ack, so the job would come back after the ack wait (observed on 2.9.10).
    term: () => msg.term(),
    working: () => msg.working(),
  };
}
