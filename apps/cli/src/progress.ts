import { SingleBar, Presets } from "cli-progress";

/**
 * A byte-progress bar on stderr for commands that read large files. Shown when stderr is a
 * terminal; when it is not (logs, CI) it is shown only for inputs of at least LARGE_INPUT_BYTES,
 * as a line every few seconds, so long jobs still show signs of life without flooding small runs.
 * stdout stays clean for the command's result (and --json).
 */
export interface ByteProgress {
  /** Feed the reader's onProgress(bytesRead, totalBytes) straight into this. */
  update(bytesRead: number, totalBytes: number): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  /** false forces the bar off (e.g. --no-progress). */
  enabled?: boolean;
  /** Defaults to process.stderr. */
  stream?: NodeJS.WriteStream;
}

export const LARGE_INPUT_BYTES = 256 * 1024 * 1024;

export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function byteProgress(opts: ProgressOptions): ByteProgress {
  const stream = opts.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  let bar: SingleBar | undefined;
  let decided = false;
  return {
    update(bytesRead, totalBytes) {
      if (!decided) {
        decided = true;
        if (opts.enabled === false || (!tty && totalBytes < LARGE_INPUT_BYTES)) return;
        bar = new SingleBar(
          {
            stream,
            format: `${opts.label} [{bar}] {percentage}% | {done} / {size} | ETA {eta_formatted}`,
            hideCursor: tty,
            noTTYOutput: !tty,
            notTTYSchedule: 5000,
            clearOnComplete: tty,
            etaBuffer: 50,
          },
          Presets.shades_classic,
        );
        bar.start(totalBytes, 0, { done: formatBytes(0), size: formatBytes(totalBytes) });
      }
      bar?.update(bytesRead, { done: formatBytes(bytesRead), size: formatBytes(totalBytes) });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Runs `work` with a progress bar, stopping the bar however it ends. */
export async function withByteProgress<T>(
  opts: ProgressOptions,
  work: (onProgress: (bytesRead: number, totalBytes: number) => void) => Promise<T>,
): Promise<T> {
  const progress = byteProgress(opts);
  try {
    return await work((read, total) => progress.update(read, total));
  } finally {
    progress.stop();
  }
}
