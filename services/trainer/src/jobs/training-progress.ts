/**
 * The engine's progress events as `training.progress` bus events (TrainingProgress, proto3 JSON). Each
 * event's id names the job, attempt, stage and step, so a republished report is deduplicated by the bus.
 */
import type { Bus } from "@ferret/bus";
import { TrainingProgress } from "@ferret/proto";
import { evalMetrics, type EngineEvent } from "../engine/engine-events.js";
import { TRAINING_JOB_KIND, TRAINING_PROGRESS_EVENT } from "./training-job.js";

export interface ProgressContext {
  jobId: string;
  attempt: number;
  stage: number;
}

export function trainingProgressOf(event: EngineEvent, context: ProgressContext): TrainingProgress {
  const n = (v: number | null | undefined): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return {
    job: { jobId: context.jobId, kind: TRAINING_JOB_KIND },
    step: Math.max(0, Math.round(n(event.step))),
    totalSteps: Math.max(0, Math.round(n(event.totalSteps))),
    epoch: Math.max(0, Math.floor(n(event.epoch))),
    loss: n(event.loss),
    learningRate: n(event.lr),
    metrics: event.event === "eval" ? evalMetrics(event) : {},
    at: event.time ? new Date(event.time * 1000) : new Date(),
    samplesPerSecond: n(event.samplesPerSecond),
    phase: event.event === "export" ? "export" : "train",
    attempt: context.attempt,
  };
}

/** Publishes step and eval reports; other engine events are only logged by the worker. */
export async function publishTrainingProgress(
  bus: Bus,
  event: EngineEvent,
  context: ProgressContext,
): Promise<TrainingProgress | undefined> {
  if (event.event !== "step" && event.event !== "eval" && event.event !== "export") return undefined;
  const progress = trainingProgressOf(event, context);
  await bus.events.publish(TRAINING_PROGRESS_EVENT, TrainingProgress.toJSON(progress), {
    id: `${TRAINING_PROGRESS_EVENT}.${context.jobId}.${context.attempt}.${context.stage}.${event.event}.${progress.step}`,
  });
  return progress;
}
