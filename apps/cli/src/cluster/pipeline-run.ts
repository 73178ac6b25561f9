/**
 * A pipeline run in cluster mode, as the bus holds it, so any process can pick it up: the run record (KV
 * bucket `<prefix>-runs`, key = run id: the spec file, the output directory and the planned stages with
 * their keys and what each needs), one job record per stage (@ferret/jobs, bucket `<prefix>-stages`, job id
 * `<run>-<stage>`: queued, running with progress, succeeded with the stage's summary, or failed), one work
 * queue per stage (`<prefix>-<stage>`) and the events stages react to (`<prefix>.run.submitted`,
 * `<prefix>.stage.completed`, `<prefix>.stage.failed`). The prefix (default "pipeline") keeps tests apart.
 */
import type { Bus, KvStore } from "@ferret/bus";
import { AlreadyExistsError, ConflictError } from "@ferret/errors";
import { JobStore, checkJobId, type JobRecord } from "@ferret/jobs";

export interface PlannedClusterStage {
  name: string;
  /** The stage's key: a hash of its config, inputs and upstream keys (the same as embedded mode's). */
  key: string;
  /** Upstream stages whose completion it waits for. */
  needs: string[];
}

export interface RunRecord {
  runId: string;
  /** The pipeline spec file (absolute; every process of a one-machine cluster reads the same file). */
  specFile: string;
  /** The run directory (stage outputs, the report). */
  output: string;
  stages: PlannedClusterStage[];
  submittedAt: string;
  /** Driven stage by stage (the pipeline API's RunStage): the reactors queue none of its stages. */
  manual?: boolean;
}

/** What a stage job's record holds: the run and the stage. */
export interface StageJobSpec {
  runId: string;
  stage: string;
}

export type StageResult = Record<string, unknown>;
export type StageJobRecord = JobRecord<StageJobSpec, StageResult>;

export interface PipelineNames {
  runsBucket: string;
  stagesBucket: string;
  queue(stage: string): string;
  /** The durable event group of a stage's reactors. */
  group(stage: string): string;
  /** Event types. */
  submitted: string;
  completed: string;
  failed: string;
}

export function pipelineNames(prefix = "pipeline"): PipelineNames {
  return {
    runsBucket: `${prefix}-runs`,
    stagesBucket: `${prefix}-stages`,
    queue: (stage) => `${prefix}-${stage}`,
    group: (stage) => `${prefix}-${stage}`,
    submitted: `${prefix}.run.submitted`,
    completed: `${prefix}.stage.completed`,
    failed: `${prefix}.stage.failed`,
  };
}

export const stageJobId = (runId: string, stage: string): string => `${runId}-${stage}`;

/** The payload of every pipeline event. */
export interface RunEvent {
  runId: string;
  stage?: string;
}

export interface PipelineStores {
  names: PipelineNames;
  runs: KvStore<RunRecord>;
  stages: JobStore<StageJobSpec, StageResult>;
}

export async function openPipelineStores(bus: Bus, names: PipelineNames): Promise<PipelineStores> {
  return {
    names,
    runs: await bus.kv<RunRecord>(names.runsBucket),
    stages: await JobStore.open<StageJobSpec, StageResult>(bus, {
      bucket: names.stagesBucket,
      kind: "pipeline.stage",
    }),
  };
}

/**
 * Records the run and announces it; the stages' reactors take it from there. Submitting the same run id
 * again (a retry after a lost reply) announces it again and changes nothing; a different plan under an id
 * already used is a ConflictError.
 */
export async function submitRun(
  bus: Bus,
  stores: PipelineStores,
  run: RunRecord,
): Promise<{ created: boolean }> {
  checkJobId(run.runId, { field: "run id" });
  let created = true;
  try {
    await stores.runs.create(run.runId, run);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    created = false;
    const existing = (await stores.runs.get(run.runId))!.value;
    const plan = (r: RunRecord) =>
      JSON.stringify({ specFile: r.specFile, output: r.output, stages: r.stages, manual: r.manual === true });
    if (plan(existing) !== plan(run)) {
      throw new ConflictError(`run "${run.runId}" exists with another plan; give another run id`);
    }
  }
  const event: RunEvent = { runId: run.runId };
  await bus.events.publish(stores.names.submitted, event, { id: `${run.runId}.submitted` });
  return { created };
}

/**
 * Cancels a run: every stage's job that has not ended is marked cancelled, and a stage not queued yet gets
 * a cancelled record, so neither the reactors nor RunStage start it later. A running stage is stopped by
 * its host (stage-reactors.ts watches its record); finished stages and their outputs are kept, so a new run
 * of the same spec reuses them by key. Cancelling a run that has ended changes nothing.
 */
export async function cancelRun(stores: PipelineStores, run: RunRecord, reason: string): Promise<void> {
  for (const { name } of run.stages) {
    const jobId = stageJobId(run.runId, name);
    await stores.stages.create(jobId, { spec: { runId: run.runId, stage: name }, total: 0, unit: "steps" });
    await stores.stages.cancel(jobId, reason);
  }
}
