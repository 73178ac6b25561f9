/**
 * A WorkQueue over any QueueTransport: ids and payload encoding on publish; decoding, the job
 * object and the retry/dead-letter policy on consume. Both adapters build their queues with it.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "@ferret/logging";
import { resolveBackoff } from "../backoff.js";
import type {
  ConsumeOptions,
  Consumer,
  DeadLetterInfo,
  Job,
  JobHandler,
  PublishOptions,
  PublishResult,
  QueueOptions,
  QueueStats,
  WorkQueue,
} from "../types.js";
import { ConsumerLoop, type StopRegistry } from "./consumer-loop.js";
import { runDelivery, type RunContext, type RunPolicy } from "./job-runner.js";
import {
  HEADER,
  buildMessage,
  checkPayloadSize,
  deadLetterMessage,
  decodePayload,
  readDeadLetter,
} from "./message.js";
import type { Delivery, QueueTransport } from "./transport.js";

/** What a give-up hook's job carries: nothing runs any more, so nothing to abort or keep alive. */
const GIVEN_UP_CONTEXT: RunContext = { signal: new AbortController().signal, working: () => undefined };

export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_MAX_DELIVERIES = 5;
export const DEFAULT_DEDUP_WINDOW_MS = 120_000;

export interface ResolvedQueueOptions {
  ackWaitMs: number;
  maxDeliveries: number;
  backoff: ReturnType<typeof resolveBackoff>;
  dedupWindowMs: number;
  deadLetter: string | false;
}

export function resolveQueueOptions(name: string, options: QueueOptions = {}): ResolvedQueueOptions {
  return {
    ackWaitMs: options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS,
    maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
    backoff: resolveBackoff(options.backoff),
    dedupWindowMs: options.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS,
    deadLetter: options.deadLetter === undefined ? `${name}-dlq` : options.deadLetter,
  };
}

/** Options for a dead-letter queue: no dead letters of its own, and a failing reader retries forever. */
export function deadLetterQueueOptions(parent: ResolvedQueueOptions): QueueOptions {
  return {
    ackWaitMs: parent.ackWaitMs,
    maxDeliveries: Infinity,
    backoff: parent.backoff,
    dedupWindowMs: parent.dedupWindowMs,
    deadLetter: false,
  };
}

export class TransportWorkQueue<T> implements WorkQueue<T> {
  constructor(
    readonly name: string,
    private readonly transport: QueueTransport,
    private readonly options: ResolvedQueueOptions,
    private readonly dlq: TransportWorkQueue<T> | undefined,
    private readonly maxPayloadBytes: () => number,
    private readonly registry: StopRegistry,
    private readonly logger: Logger,
  ) {}

  async publish(data: T, options: PublishOptions = {}): Promise<PublishResult> {
    const id = options.id ?? randomUUID();
    const message = buildMessage(data, id, new Date());
    checkPayloadSize(message.payload, this.maxPayloadBytes());
    const { duplicate } = await this.transport.publish(message);
    return { id, duplicate };
  }

  consume(handler: JobHandler<T>, options: ConsumeOptions<T> = {}): Consumer {
    const policy: RunPolicy = {
      name: this.name,
      ackWaitMs: this.options.ackWaitMs,
      maxDeliveries: this.options.maxDeliveries,
      backoff: this.options.backoff,
      giveUp: async (delivery, info, error) => {
        // The stage hears first (e.g. to mark its job failed); a hook that rejects leaves the job to be
        // retried and given up again, so nothing is dead-lettered that the stage did not hear about.
        const job = options.onGiveUp === undefined ? undefined : this.decodable(delivery);
        if (job !== undefined) {
          await options.onGiveUp?.(job, { reason: info.reason, error, deliveryCount: info.deliveryCount });
        }
        await this.giveUp(delivery, info);
      },
      logger: this.logger,
    };
    const invoke = async (delivery: Delivery, context: RunContext) => {
      await handler(this.jobOf(delivery, context));
    };
    return new ConsumerLoop(
      this.transport,
      (delivery, cancel) => runDelivery(delivery, invoke, policy, cancel),
      options.concurrency ?? 1,
      this.logger.child({ queue: this.name }),
      this.registry,
    );
  }

  private jobOf(delivery: Delivery, context: RunContext): Job<T> {
    const deadLetter = readDeadLetter(delivery.headers);
    return {
      id: delivery.id,
      queue: this.name,
      data: decodePayload(delivery.payload, delivery.headers[HEADER.encoding]) as T,
      deliveryCount: delivery.deliveryCount,
      publishedAt: delivery.publishedAt,
      signal: context.signal,
      working: context.working,
      ...(deadLetter === undefined ? {} : { deadLetter }),
    };
  }

  /** The job as a give-up hook sees it; undefined (logged) when its payload does not decode. */
  private decodable(delivery: Delivery): Job<T> | undefined {
    try {
      return this.jobOf(delivery, GIVEN_UP_CONTEXT);
    } catch (err) {
      this.logger.error({ err, job: delivery.id }, "undecodable job given up; no give-up hook called");
      return undefined;
    }
  }

  private async giveUp(delivery: Delivery, info: DeadLetterInfo): Promise<void> {
    if (this.dlq === undefined) {
      this.logger.error({ job: delivery.id, ...info }, "job dropped (no dead-letter queue)");
      return;
    }
    await this.dlq.transport.publish(deadLetterMessage(delivery, info));
  }

  stats(): Promise<QueueStats> {
    return this.transport.stats();
  }

  deadLetters(): WorkQueue<T> | undefined {
    return this.dlq;
  }

  async destroy(): Promise<void> {
    await this.transport.destroy();
    await this.dlq?.destroy();
  }
}
