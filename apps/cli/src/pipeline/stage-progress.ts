/**
 * One progress view for a pipeline run: a bar per stage (cli-progress's MultiBar on a terminal), each
 * with its stage's unit and state (waiting, running, done in N s, skipped: finished earlier). Not on a
 * terminal (logs, CI, tests) it writes a line when a stage starts, skips or finishes, and a progress line
 * at most every few seconds, so stdout stays the command's result.
 */
import { MultiBar, Presets, type SingleBar } from "cli-progress";

export interface StageProgressView {
  start(stage: string): void;
  update(stage: string, done: number, total: number, unit: string): void;
  skip(stage: string, key: string): void;
  finish(stage: string, seconds: number): void;
  fail(stage: string, message: string): void;
  stop(): void;
}

const LINE_INTERVAL_MS = 5000;

export function stageProgressView(
  stages: readonly string[],
  options: { enabled?: boolean; stream?: NodeJS.WriteStream } = {},
): StageProgressView {
  const stream = options.stream ?? process.stderr;
  const enabled = options.enabled !== false;
  const width = Math.max(...stages.map((s) => s.length));
  const label = (s: string): string => s.padEnd(width);
  if (!enabled) {
    const nothing = (): void => undefined;
    return { start: nothing, update: nothing, skip: nothing, finish: nothing, fail: nothing, stop: nothing };
  }
  if (stream.isTTY !== true) {
    const lastLine = new Map<string, number>();
    const say = (stage: string, text: string): void => {
      stream.write(`${label(stage)}  ${text}\n`);
    };
    return {
      start: (stage) => say(stage, "started"),
      update(stage, done, total, unit) {
        const now = Date.now();
        if (now - (lastLine.get(stage) ?? 0) < LINE_INTERVAL_MS) return;
        lastLine.set(stage, now);
        say(stage, total > 0 ? `${Math.floor(done)}/${total} ${unit}` : `${Math.floor(done)} ${unit}`);
      },
      skip: (stage, key) => say(stage, `skipped: finished earlier (key ${key.slice(0, 12)})`),
      finish: (stage, seconds) => say(stage, `done in ${seconds.toFixed(1)} s`),
      fail: (stage, message) => say(stage, `failed: ${message}`),
      stop: () => undefined,
    };
  }
  const multi = new MultiBar(
    {
      stream,
      format: "{stage} [{bar}] {percentage}% | {amount} {unit} | {status}",
      hideCursor: true,
      autopadding: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  for (const stage of stages)
    bars.set(stage, multi.create(1, 0, { stage: label(stage), amount: "", unit: "", status: "waiting" }));
  const set = (
    stage: string,
    value: number | undefined,
    total: number | undefined,
    payload: object,
  ): void => {
    const bar = bars.get(stage);
    if (!bar) return;
    if (total !== undefined && total > 0 && bar.getTotal() !== total) bar.setTotal(total);
    bar.update(value ?? bar.getProgress() * bar.getTotal(), payload);
  };
  return {
    start: (stage) => set(stage, 0, undefined, { status: "running" }),
    update: (stage, done, total, unit) =>
      set(stage, total > 0 ? done : 0, total, {
        amount: total > 0 ? `${Math.floor(done)}/${total}` : `${Math.floor(done)}`,
        unit,
        status: "running",
      }),
    skip: (stage) => {
      const bar = bars.get(stage);
      set(stage, bar?.getTotal(), undefined, { status: "skipped: finished earlier" });
    },
    finish: (stage, seconds) => {
      const bar = bars.get(stage);
      set(stage, bar?.getTotal(), undefined, { status: `done in ${seconds.toFixed(1)} s` });
    },
    fail: (stage, message) => set(stage, undefined, undefined, { status: `failed: ${message}` }),
    stop: () => multi.stop(),
  };
}
