/**
 * Putting a stage of a run on its work queue, the one way both drivers do it: the stage reactors when what
 * the stage needs has succeeded (choreography), and the pipeline API's RunStage when a caller asks (a run
 * driven stage by stage). The message id is the stage's job id, so a repeated request within the queue's
 * dedup window enqueues nothing; after it, the job record exists and neither driver enqueues again.
 */
import type { Bus, QueueOptions, WorkQueue } from "@ferret/bus";
import {
  stageJobId,
  type PipelineNames,
  type PipelineStores,
  type RunRecord,
  type StageJobSpec,
} from "./pipeline-run.js";

/**
 * Opens a stage's work queue. Every opener must pass the options its host consumes with: the last to open
 * a queue sets its ack wait and limits.
 */
export function openStageQueue(
  bus: Bus,
  names: PipelineNames,
  stage: string,
  options: QueueOptions,
): Promise<WorkQueue<StageJobSpec>> {
  return bus.queue<StageJobSpec>(names.queue(stage), options);
}

/** The stages `stage` needs in `run` whose job has not succeeded (in the plan's order). */
export async function unfinishedUpstream(
  stores: PipelineStores,
  run: RunRecord,
  needs: readonly string[],
): Promise<string[]> {
  const states = await Promise.all(
    needs.map(async (need) => (await stores.stages.get(stageJobId(run.runId, need)))?.state),
  );
  return needs.filter((_, i) => states[i] !== "succeeded");
}

/** Publishes the stage's job; `duplicate` when it was published already within the dedup window. */
export async function enqueueStage(
  queue: WorkQueue<StageJobSpec>,
  runId: string,
  stage: string,
): Promise<{ duplicate: boolean }> {
  return queue.publish({ runId, stage }, { id: stageJobId(runId, stage) });
}
