/**
 * Runs one delivery to its outcome: ack on success; on failure nak with exponential backoff, or,
 * once deliveries are exhausted or the error is permanent, hand the job to `giveUp` (the dead-letter
 * queue) and term it so it cannot loop. Delivery semantics are at-least-once: a handler must be
 * idempotent (e.g. record its effect with KV create-if-absent keyed by job id).
 */
import { CancelledError, TimeoutError } from "@ferret/errors";
import type { Logger } from "@ferret/logging";
import { backoffDelay, type BackoffOptions } from "../backoff.js";
import { isRetryable, reasonOf } from "../job-errors.js";
import type { DeadLetterInfo } from "../types.js";
import type { Delivery } from "./transport.js";

export interface RunPolicy {
  /** Queue (or event group) name, for dead letters and logs. */
  name: string;
  ackWaitMs: number;
  /** Infinity: retry forever. */
  maxDeliveries: number;
  backoff: BackoffOptions;
  /**
   * Stores the job elsewhere for a person to look at (or logs it); rejects if it could not. `error` is
   * what the last delivery threw (undefined when it never settled).
   */
  giveUp(delivery: Delivery, info: DeadLetterInfo, error: unknown): Promise<void>;
  logger: Logger;
}

export interface RunContext {
  signal: AbortSignal;
  working(): void;
}

export type Invoke = (delivery: Delivery, context: RunContext) => Promise<void>;

export async function runDelivery(
  delivery: Delivery,
  invoke: Invoke,
  policy: RunPolicy,
  cancel: AbortSignal,
): Promise<void> {
  const log = policy.logger.child({ queue: policy.name, job: delivery.id, delivery: delivery.deliveryCount });

  // The previous delivery was the last allowed and it never settled (worker killed, or it hung past
  // the ack wait). The server keeps redelivering such jobs (max_deliver is unlimited on purpose, so
  // nothing is stranded in the stream), and the runner is where the limit is enforced.
  if (delivery.deliveryCount > policy.maxDeliveries) {
    const reason = `no outcome after ${delivery.deliveryCount - 1} deliveries (worker died or exceeded the ack wait)`;
    await giveUpOrRetry(delivery, reason, undefined, policy, log);
    return;
  }

  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let deadline = 0;
  const expire = () =>
    // Past this point the server may hand the job to another worker; tell the handler.
    controller.abort(new TimeoutError(`ack wait of ${policy.ackWaitMs} ms passed without working()`));
  const arm = () => {
    clearTimeout(timer);
    deadline = Date.now() + policy.ackWaitMs;
    timer = setTimeout(expire, policy.ackWaitMs);
  };
  const onCancel = () => controller.abort(new CancelledError("consumer stopped"));
  if (cancel.aborted) onCancel();
  else cancel.addEventListener("abort", onCancel, { once: true });
  arm();

  try {
    await invoke(delivery, {
      signal: controller.signal,
      working: () => {
        if (controller.signal.aborted) return;
        // A working() after the deadline comes too late, though the timer has not fired yet (the event
        // loop was held past it, and timers run in due order): the job may run elsewhere already.
        if (Date.now() > deadline) return expire();
        delivery.working();
        arm();
      },
    });
  } catch (err) {
    clearTimeout(timer);
    cancel.removeEventListener("abort", onCancel);
    if (cancel.aborted) {
      // Interrupted by shutdown: hand it back at once rather than counting it as a failure.
      delivery.nak(0);
      return;
    }
    const reason = reasonOf(err);
    if (!isRetryable(err) || delivery.deliveryCount >= policy.maxDeliveries) {
      log.warn({ err }, "job failed permanently; dead-lettering");
      await giveUpOrRetry(delivery, reason, err, policy, log);
      return;
    }
    const delayMs = backoffDelay(delivery.deliveryCount, policy.backoff);
    log.info({ err, delayMs }, "job failed; will retry");
    delivery.nak(delayMs);
    return;
  }
  clearTimeout(timer);
  cancel.removeEventListener("abort", onCancel);
  try {
    await delivery.ack();
  } catch (err) {
    // The effect happened but the ack may be lost: the job can come back, which idempotent
    // handlers absorb.
    log.warn({ err }, "ack not confirmed; the job may be redelivered");
  }
}

async function giveUpOrRetry(
  delivery: Delivery,
  reason: string,
  error: unknown,
  policy: RunPolicy,
  log: Logger,
): Promise<void> {
  try {
    const info = { queue: policy.name, reason, deliveryCount: delivery.deliveryCount, failedAt: new Date() };
    await policy.giveUp(delivery, info, error);
  } catch (err) {
    // Never drop a job we could not park: retry it later and try to dead-letter it again then.
    const delayMs = backoffDelay(delivery.deliveryCount, policy.backoff);
    log.error({ err, delayMs }, "could not dead-letter the job; will retry");
    delivery.nak(delayMs);
    return;
  }
  delivery.term();
}
