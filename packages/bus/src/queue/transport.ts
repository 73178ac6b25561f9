/**
 * What an adapter must provide for a work queue: store a message, hand out one delivery at a time
 * (a pull), and settle deliveries. Everything above it (decoding, deadlines, retries, dead letters,
 * concurrency) is shared code in job-runner.ts and consumer-loop.ts, so both adapters behave alike
 * by construction and the contract tests check the transports.
 */
import type { QueueStats } from "../types.js";
import type { RawMessage } from "./message.js";

export interface Delivery extends RawMessage {
  /** 1 on the first delivery. */
  deliveryCount: number;
  publishedAt: Date;
  /** Resolves once the ack is known to be stored (NATS: double ack). */
  ack(): Promise<void>;
  /** Redeliver after `delayMs` (0: as soon as possible). */
  nak(delayMs: number): void;
  /** Never redeliver; removes the message. */
  term(): void;
  /** Restart the ack-wait clock. */
  working(): void;
}

export interface QueueTransport {
  publish(message: RawMessage): Promise<{ duplicate: boolean }>;
  /**
   * Waits for one delivery. Resolves null when nothing arrived within the adapter's pull window or
   * when `signal` aborts; the caller loops. Rejects on transport errors (caller logs, pauses, loops).
   */
  next(signal: AbortSignal): Promise<Delivery | null>;
  stats(): Promise<QueueStats>;
  destroy(): Promise<void>;
}
