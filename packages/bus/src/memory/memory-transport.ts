/**
 * In-process queue transport with the delivery semantics of a JetStream work-queue stream and an
 * explicit-ack pull consumer: a job stays stored until acked or termed; a delivery not settled
 * within the ack wait (abandoned handler) is redelivered, ahead of new jobs; nak(delay) redelivers
 * after the delay; publishes with an id already seen inside the dedup window are dropped. An ack
 * from an older delivery still removes the job, as a JetStream ack does (it acks the stream sequence).
 * State lives in this process only: embedded mode loses queued jobs when the process exits.
 */
import { NotFoundError } from "@ferret/errors";
import type { QueueStats } from "../types.js";
import type { RawMessage } from "../queue/message.js";
import type { Delivery, QueueTransport } from "../queue/transport.js";

interface Entry {
  seq: number;
  message: RawMessage;
  publishedAt: Date;
  deliveries: number;
  /** Identifies the current delivery; settling an older one (except ack/term) is ignored. */
  token: number;
  state: "ready" | "delayed" | "inflight";
  timer: NodeJS.Timeout | undefined;
}

type Waiter = (entry: Entry) => void;

export interface MemoryTransportOptions {
  ackWaitMs: number;
  dedupWindowMs: number;
}

export class MemoryQueueTransport implements QueueTransport {
  private readonly entries = new Map<number, Entry>();
  /** Ready entries in delivery order (redeliveries go to the front, as JetStream does). */
  private ready: Entry[] = [];
  private readyHead = 0;
  private readonly waiters: Waiter[] = [];
  private readonly seen = new Map<string, number>();
  private seq = 0;
  private destroyed = false;

  constructor(
    private options: MemoryTransportOptions,
    private readonly label: string,
    private readonly onDestroy: () => void = () => {},
  ) {}

  /** The last opener's options apply (as with a NATS consumer update). */
  configure(options: MemoryTransportOptions): void {
    this.options = options;
  }

  publish(message: RawMessage): Promise<{ duplicate: boolean }> {
    this.assertAlive();
    const now = Date.now();
    this.pruneSeen(now);
    const until = this.seen.get(message.id);
    if (until !== undefined && until > now) return Promise.resolve({ duplicate: true });
    this.seen.delete(message.id);
    this.seen.set(message.id, now + this.options.dedupWindowMs);
    const entry: Entry = {
      seq: ++this.seq,
      message: { id: message.id, payload: new Uint8Array(message.payload), headers: { ...message.headers } },
      publishedAt: new Date(now),
      deliveries: 0,
      token: 0,
      state: "ready",
      timer: undefined,
    };
    this.entries.set(entry.seq, entry);
    this.makeReady(entry, false);
    return Promise.resolve({ duplicate: false });
  }

  next(signal: AbortSignal): Promise<Delivery | null> {
    if (this.destroyed) return Promise.reject(new NotFoundError(`queue ${this.label} was destroyed`));
    if (signal.aborted) return Promise.resolve(null);
    const entry = this.takeReady();
    if (entry !== undefined) return Promise.resolve(this.deliver(entry));
    return new Promise((resolve) => {
      const waiter: Waiter = (e) => {
        signal.removeEventListener("abort", onAbort);
        resolve(this.deliver(e));
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(null);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  stats(): Promise<QueueStats> {
    let inFlight = 0;
    for (const e of this.entries.values()) if (e.state !== "ready") inFlight++;
    // Like NATS, a job waiting out a nak delay counts as delivered-but-unacked.
    return Promise.resolve({ pending: this.entries.size - inFlight, inFlight });
  }

  destroy(): Promise<void> {
    this.destroyed = true;
    for (const e of this.entries.values()) clearTimeout(e.timer);
    this.entries.clear();
    this.ready = [];
    this.readyHead = 0;
    this.onDestroy();
    return Promise.resolve();
  }

  /** Stops timers (bus close); unlike destroy, jobs are kept for a later consumer in this process. */
  pause(): void {
    for (const e of this.entries.values()) {
      clearTimeout(e.timer);
      e.timer = undefined;
    }
  }

  private assertAlive(): void {
    if (this.destroyed) throw new NotFoundError(`queue ${this.label} was destroyed`);
  }

  private pruneSeen(now: number): void {
    // Insertion order is expiry order while the window is constant, so stop at the first live id.
    for (const [id, until] of this.seen) {
      if (until > now) break;
      this.seen.delete(id);
    }
  }

  private makeReady(entry: Entry, front: boolean): void {
    entry.state = "ready";
    entry.timer = undefined;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter(entry);
      return;
    }
    if (front && this.readyHead > 0) {
      this.ready[--this.readyHead] = entry;
    } else if (front) {
      this.ready.unshift(entry);
    } else {
      this.ready.push(entry);
    }
  }

  private takeReady(): Entry | undefined {
    while (this.readyHead < this.ready.length) {
      const entry = this.ready[this.readyHead++]!;
      if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
        this.ready = this.ready.slice(this.readyHead);
        this.readyHead = 0;
      }
      // Skip entries acked from a stale delivery while they sat in the ready list.
      if (this.entries.get(entry.seq) === entry && entry.state === "ready") return entry;
    }
    return undefined;
  }

  private deliver(entry: Entry): Delivery {
    entry.deliveries++;
    const token = ++entry.token;
    entry.state = "inflight";
    const current = () => this.entries.get(entry.seq) === entry && entry.token === token;
    const armAckWait = () => {
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => {
        if (current() && entry.state === "inflight") this.makeReady(entry, true);
      }, this.options.ackWaitMs);
    };
    const remove = () => {
      if (this.entries.get(entry.seq) !== entry) return;
      clearTimeout(entry.timer);
      this.entries.delete(entry.seq);
    };
    armAckWait();
    return {
      id: entry.message.id,
      payload: entry.message.payload,
      headers: entry.message.headers,
      deliveryCount: entry.deliveries,
      publishedAt: entry.publishedAt,
      ack: () => {
        remove();
        return Promise.resolve();
      },
      term: remove,
      nak: (delayMs: number) => {
        if (!current() || entry.state !== "inflight") return;
        clearTimeout(entry.timer);
        if (delayMs <= 0) {
          this.makeReady(entry, true);
          return;
        }
        entry.state = "delayed";
        entry.timer = setTimeout(() => {
          if (current() && entry.state === "delayed") this.makeReady(entry, true);
        }, delayMs);
      },
      working: () => {
        if (current() && entry.state === "inflight") armAckWait();
      },
    };
  }
}
