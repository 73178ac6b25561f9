/**
 * Event handling shared by both adapters: the event wire form, and the group consumer, which is a
 * work-queue consumer whose exhausted deliveries are logged and dropped (an event has no owner to
 * read a dead-letter queue; the publisher's state lives in KV and can be re-announced).
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@ferret/logging";
import { resolveBackoff } from "../backoff.js";
import { ConsumerLoop, type StopRegistry } from "../queue/consumer-loop.js";
import { runDelivery, type RunPolicy } from "../queue/job-runner.js";
import { HEADER, buildMessage, checkPayloadSize, decodePayload, type RawMessage } from "../queue/message.js";
import type { QueueTransport } from "../queue/transport.js";
import type { BusEvent, EventHandler, SubscribeOptions, Subscription } from "../types.js";

export const DEFAULT_EVENT_ACK_WAIT_MS = 30_000;
export const DEFAULT_EVENT_MAX_DELIVERIES = 5;

export function buildEvent(
  type: string,
  data: unknown,
  id: string | undefined,
  maxPayloadBytes: number,
): RawMessage {
  const message = buildMessage(data, id ?? randomUUID(), new Date());
  checkPayloadSize(message.payload, maxPayloadBytes);
  message.headers[HEADER.type] = type;
  return message;
}

export function toBusEvent<T>(message: RawMessage, type: string, deliveryCount: number): BusEvent<T> {
  return {
    type,
    id: message.id,
    data: decodePayload(message.payload, message.headers[HEADER.encoding]) as T,
    time: new Date(message.headers[HEADER.time] ?? Date.now()),
    deliveryCount,
  };
}

export function startGroupConsumer<T>(
  transport: QueueTransport,
  name: string,
  handler: EventHandler<T>,
  options: SubscribeOptions,
  typeOf: (message: RawMessage) => string,
  registry: StopRegistry,
  logger: Logger,
): Subscription {
  const log = logger.child({ group: name });
  const policy: RunPolicy = {
    name,
    ackWaitMs: options.ackWaitMs ?? DEFAULT_EVENT_ACK_WAIT_MS,
    maxDeliveries: options.maxDeliveries ?? DEFAULT_EVENT_MAX_DELIVERIES,
    backoff: resolveBackoff(options.backoff),
    giveUp: (delivery, info) => {
      log.error(
        { event: delivery.id, type: typeOf(delivery), ...info },
        "event dropped after failed deliveries",
      );
      return Promise.resolve();
    },
    logger: log,
  };
  return new ConsumerLoop(
    transport,
    (delivery, cancel) =>
      runDelivery(
        delivery,
        async (d) => {
          await handler(toBusEvent<T>(d, typeOf(d), d.deliveryCount));
        },
        policy,
        cancel,
      ),
    options.concurrency ?? 1,
    log,
    registry,
  );
}
