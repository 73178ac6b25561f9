/**
 * Following a cluster run from anywhere (the `ferret run --cluster` that submitted it, a later `--attach`,
 * another terminal): the run record's planned stages and every change to their job records, until the run
 * ends (its last stage succeeded, or a stage failed) or the caller stops watching (Ctrl-C: detaching
 * cancels nothing, the stages go on).
 */
import { NotFoundError } from "@ferret/errors";
import { stageJobId, type PipelineStores, type RunRecord, type StageJobRecord } from "./pipeline-run.js";

export interface RunView {
  run: RunRecord;
  /** Each planned stage's job record, absent while the stage waits for what it needs. */
  stages: Record<string, StageJobRecord | undefined>;
  /**
   * "running" until the last stage succeeded ("succeeded"), one failed ("failed") or the run was
   * cancelled (a stage cancelled and none failed: "cancelled").
   */
  state: "running" | "succeeded" | "failed" | "cancelled";
}

export function runState(view: Omit<RunView, "state">): RunView["state"] {
  const records = view.run.stages.map((s) => view.stages[s.name]);
  if (records.some((r) => r?.state === "failed")) return "failed";
  if (records.some((r) => r?.state === "cancelled")) return "cancelled";
  return records.every((r) => r?.state === "succeeded") ? "succeeded" : "running";
}

async function requireRun(stores: PipelineStores, runId: string): Promise<RunRecord> {
  const run = (await stores.runs.get(runId))?.value;
  if (run === undefined) throw new NotFoundError(`no run "${runId}" in ${stores.names.runsBucket}`);
  return run;
}

/** The run now. */
export async function readRun(stores: PipelineStores, runId: string): Promise<RunView> {
  const run = await requireRun(stores, runId);
  const records = await Promise.all(run.stages.map((s) => stores.stages.get(stageJobId(runId, s.name))));
  const stages = Object.fromEntries(run.stages.map((s, i) => [s.name, records[i]]));
  return { run, stages, state: runState({ run, stages }) };
}

/** The run now and after every change of one of its stages, ending after the run ends or `signal` aborts. */
export async function* watchRun(
  stores: PipelineStores,
  runId: string,
  signal?: AbortSignal,
): AsyncGenerator<RunView> {
  const run = await requireRun(stores, runId);
  const byJob = new Map(run.stages.map((s) => [stageJobId(runId, s.name), s.name]));
  const stages: RunView["stages"] = Object.fromEntries(run.stages.map((s) => [s.name, undefined]));
  let changed = true;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const sub = await stores.stages.kv.watch(">", (change) => {
    const stage = byJob.get(change.key);
    if (stage === undefined) return;
    stages[stage] = change.value;
    changed = true;
    notify();
  });
  signal?.addEventListener("abort", notify, { once: true });
  try {
    for (;;) {
      if (changed) {
        changed = false;
        const view = { run, stages: { ...stages } };
        const state = runState(view);
        yield { ...view, state };
        if (state !== "running") return;
      }
      if (signal?.aborted === true) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener("abort", notify);
    await sub.stop();
  }
}
