import { InputError } from "@ferret/errors";
import type { ReadStats } from "./types.js";

/**
 * Strict mode throws an InputError naming file, line and field; lenient mode counts the line
 * as skipped and lets the reader move on. One place so every reader behaves the same.
 */
export class LineIssues {
  constructor(
    private readonly file: string,
    private readonly lenient: boolean,
    private readonly stats: ReadStats,
  ) {}

  /** Reports a bad line. Returns (in lenient mode) so the caller can skip it. */
  reject(line: number, field: string | undefined, problem: string): void {
    if (!this.lenient) throw new InputError({ file: this.file, line, field }, problem);
    this.stats.skipped++;
  }
}

export function newStats(): ReadStats {
  return { lines: 0, records: 0, skipped: 0 };
}
