/**
 * Runs the PyTorch engine as a subprocess: `<python> -m ferret_engine <job.json>` with the engine's
 * directory on PYTHONPATH. Its stdout JSON lines are parsed into events as they arrive; the last lines
 * of stdout and stderr together are kept, so a failed run reports its log tail. Exit 0 resolves; any
 * other exit (or a signal) rejects with EngineFailedError carrying the exit status, the engine's own
 * error event when it sent one, and the tail. Aborting the signal stops the engine (SIGTERM, then
 * SIGKILL after a grace period).
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { FerretError, type ErrorCode } from "@ferret/errors";
import { parseEngineEvent, type EngineEvent } from "./engine-events.js";

export interface EngineRunOptions {
  /** The Python interpreter (a virtualenv's bin/python). */
  python: string;
  /** Directory holding the ferret_engine package (services/trainer/engine). */
  engineDir: string;
  jobFile: string;
  onEvent?: (event: EngineEvent) => void;
  signal?: AbortSignal;
  /** Lines of output kept for the error report. Default 40. */
  tailLines?: number;
  /** Time between SIGTERM and SIGKILL when aborted. Default 5 s. */
  killGraceMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface EngineRunResult {
  /** The `done` event. */
  done: EngineEvent | undefined;
  events: number;
}

/** The engine exited with a failure; `tail` is the end of its output. */
export class EngineFailedError extends FerretError {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly exitSignal: NodeJS.Signals | null,
    readonly tail: string,
    readonly engineCode?: string,
  ) {
    // Exit 2 is the engine's typed error (bad job file, model dir, training set): retrying cannot help.
    const code: ErrorCode = exitCode === 2 ? "INVALID_ARGUMENT" : "INTERNAL";
    super(code, message, { details: { exitCode, exitSignal, engineCode, tail } });
  }
}

export function runEngine(options: EngineRunOptions): Promise<EngineRunResult> {
  const tailLines = options.tailLines ?? 40;
  const tail: string[] = [];
  const keep = (line: string): void => {
    tail.push(line);
    if (tail.length > tailLines) tail.shift();
  };
  const env = {
    ...process.env,
    ...options.env,
    PYTHONPATH: [options.engineDir, process.env["PYTHONPATH"]].filter(Boolean).join(":"),
    PYTHONUNBUFFERED: "1",
  };
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new EngineFailedError("engine not started: the job was stopped", null, null, ""));
      return;
    }
    const child = spawn(options.python, ["-m", "ferret_engine", options.jobFile], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let done: EngineEvent | undefined;
    let errorEvent: EngineEvent | undefined;
    let events = 0;
    const stdout = createInterface({ input: child.stdout });
    stdout.on("line", (line) => {
      keep(line);
      const event = parseEngineEvent(line);
      if (!event) return;
      events++;
      if (event.event === "done") done = event;
      if (event.event === "error") errorEvent = event;
      options.onEvent?.(event);
    });
    createInterface({ input: child.stderr }).on("line", keep);

    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      child.kill("SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), options.killGraceMs ?? 5000);
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });

    child.on("error", (err) => {
      options.signal?.removeEventListener("abort", onAbort);
      reject(
        new EngineFailedError(`cannot start the engine (${options.python}): ${err.message}`, null, null, ""),
      );
    });
    child.on("close", (code, exitSignal) => {
      options.signal?.removeEventListener("abort", onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (code === 0) {
        resolve({ done, events });
        return;
      }
      const why = errorEvent
        ? `${errorEvent.code ?? "ERROR"}: ${errorEvent.message ?? ""}`
        : exitSignal
          ? `killed by ${exitSignal}`
          : `exit status ${code}`;
      const text = tail.join("\n");
      reject(
        new EngineFailedError(
          `engine failed (${why}); last output:\n${text}`,
          code,
          exitSignal,
          text,
          errorEvent?.code,
        ),
      );
    });
  });
}
