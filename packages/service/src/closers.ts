/** One way to close something a start-up opened. */
export type Close = () => Promise<void> | void;

/**
 * What a start-up has opened so far, closed in reverse order (the last opened first) on stop or when a
 * later step of the start fails, so a failed start leaves no connection, listener or session behind.
 */
export class Closers {
  private readonly closes: Close[] = [];

  add(close: Close): void {
    this.closes.push(close);
  }

  /**
   * Runs every close once, the last added first. Each runs even when an earlier one failed; the failures are
   * returned (in the order they happened) for the caller to throw or log.
   */
  async closeAll(): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (let close = this.closes.pop(); close !== undefined; close = this.closes.pop()) {
      try {
        await close();
      } catch (err) {
        failures.push(err);
      }
    }
    return failures;
  }
}
