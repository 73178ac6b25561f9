/**
 * The engine's progress: one JSON object per stdout line (ferret_engine/progress.py), with `event` and
 * `time`: start, step (step, totalSteps, epoch, loss, lr, samplesPerSecond), eval (step and measures),
 * checkpoint (step, path), resume (step, checkpoint), export, done (step, model), error (code, message).
 * Fields beyond these are kept; a line that is not such an object is log output, not an event.
 */
import { z } from "zod";

const number = z.number().nullable().optional();

const engineEvent = z.looseObject({
  event: z.string().min(1),
  time: number,
  step: number,
  totalSteps: number,
  epoch: number,
  loss: number,
  lr: number,
  samplesPerSecond: number,
  code: z.string().optional(),
  message: z.string().optional(),
  model: z.string().optional(),
});

export type EngineEvent = z.infer<typeof engineEvent>;

export function parseEngineEvent(line: string): EngineEvent | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = engineEvent.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

const NOT_MEASURES = new Set(["event", "time", "step", "queries"]);

/** The numeric fields of an eval event other than its step, time and query count: the measures. */
export function evalMetrics(event: EngineEvent): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(event)) {
    if (NOT_MEASURES.has(key)) continue;
    if (typeof value === "number" && Number.isFinite(value)) out[key] = value;
  }
  return out;
}
