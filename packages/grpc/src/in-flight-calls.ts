import { CancelledError } from "@ferret/errors";

/**
 * The calls a server is running, so shutdown can stop admitting new ones, wait for these to finish,
 * and abort what is left when it must force-close.
 */
export class InFlightCalls {
  private readonly calls = new Set<AbortController>();
  private idle: (() => void) | undefined;
  private admitting = true;

  get size(): number {
    return this.calls.size;
  }

  get accepting(): boolean {
    return this.admitting;
  }

  stopAccepting(): void {
    this.admitting = false;
  }

  add(call: AbortController): void {
    this.calls.add(call);
  }

  delete(call: AbortController): void {
    this.calls.delete(call);
    if (this.calls.size === 0) this.idle?.();
  }

  /** True once every call has finished, false if `timeoutMs` passes first. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.calls.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idle = undefined;
        resolve(false);
      }, timeoutMs);
      this.idle = () => {
        clearTimeout(timer);
        this.idle = undefined;
        resolve(true);
      };
    });
  }

  /** Aborts every running call's signal (their handlers should stop; the server is closing). */
  abortAll(reason = new CancelledError("server shut down")): void {
    for (const call of this.calls) call.abort(reason);
  }
}
