import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";

export interface CreateLoggerOptions {
  /** Component name, added to every line (e.g. "evaluator"). */
  name: string;
  level?: LoggerOptions["level"];
  /** Where lines go; defaults to stderr so stdout stays free for CLI output. */
  destination?: pino.DestinationStream;
}

/**
 * One JSON-lines logger per process, created at start-up and passed down (injected),
 * never imported as a global, so tests can hand in a silent or capturing logger.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const level = options.level ?? process.env["FERRET_LOG_LEVEL"] ?? "info";
  return pino({ name: options.name, level }, options.destination ?? pino.destination(2));
}

/** A logger that drops everything: the default for library code and tests. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
