/**
 * A work queue on JetStream. Each queue is its own stream FERRET_JOBS_<name> on subject
 * ferret.jobs.<name>, with WorkQueue retention and one durable pull consumer "workers" that every
 * replica binds to. Why WorkQueue retention: a job is deleted when acked (or termed), so the stream
 * holds exactly the backlog (its message count is the autoscaling signal) and nothing needs cleanup;
 * and the server refuses a second unfiltered consumer, so two consumer groups can never both run a
 * job by accident. Why one stream per queue: queues get independent limits and dedup windows and can
 * be deleted alone. The dead-letter queue is an ordinary queue (FERRET_JOBS_<name>-dlq).
 *
 * max_deliver is -1 (unlimited) on purpose: the job runner enforces maxDeliveries and dead-letters.
 * A server-side limit would leave a job whose last worker died stuck in the stream, never delivered.
 */
import type { Logger } from "@ferret/logging";
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import type { StopRegistry } from "../queue/consumer-loop.js";
import { DEFAULT_MAX_PAYLOAD_BYTES, HEADER_ALLOWANCE_BYTES } from "../queue/message.js";
import { TransportWorkQueue, type ResolvedQueueOptions } from "../queue/work-queue.js";
import type { NatsHandles } from "./connection.js";
import { ensureConsumer, ensureStream } from "./jetstream-setup.js";
import { JetStreamTransport } from "./jetstream-transport.js";

export const WORKERS_CONSUMER = "workers";

export function queueStreamName(queue: string): string {
  return `FERRET_JOBS_${queue}`;
}

export function queueSubject(queue: string): string {
  return `ferret.jobs.${queue}`;
}

export async function openJetStreamQueue<T>(
  handles: NatsHandles,
  name: string,
  options: ResolvedQueueOptions,
  dlq: TransportWorkQueue<T> | undefined,
  registry: StopRegistry,
  logger: Logger,
  pullExpiresMs: number | undefined,
): Promise<TransportWorkQueue<T>> {
  const stream = queueStreamName(name);
  await ensureStream(handles.jsm, {
    name: stream,
    subjects: [queueSubject(name)],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    duplicate_window: nanos(options.dedupWindowMs),
  });
  await ensureConsumer(handles.jsm, stream, {
    durable_name: WORKERS_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: -1,
    // The default (1000) also counts jobs waiting out a nak delay; a burst of failures would then
    // stall the whole queue. In-flight work is bounded by the workers' concurrency instead.
    max_ack_pending: -1,
  });
  const transport = new JetStreamTransport(handles.js, handles.jsm, {
    stream,
    consumer: WORKERS_CONSUMER,
    subject: queueSubject(name),
    ...(pullExpiresMs === undefined ? {} : { pullExpiresMs }),
  });
  return new TransportWorkQueue<T>(
    name,
    transport,
    options,
    dlq,
    () => maxPayloadBytes(handles),
    registry,
    logger,
  );
}

export function maxPayloadBytes(handles: NatsHandles): number {
  const server = handles.nc.info?.max_payload;
  return server === undefined ? DEFAULT_MAX_PAYLOAD_BYTES : server - HEADER_ALLOWANCE_BYTES;
}
