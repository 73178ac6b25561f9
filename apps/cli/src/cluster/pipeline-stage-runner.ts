/**
 * How a cluster host does one stage of a run: exactly as embedded mode does it (the same stage definitions
 * from ../pipeline, the same keys, the same filesystem stage outputs written to a temporary directory and
 * renamed into place, the same resumable work directories), reading the spec file and the upstream outputs
 * the run names, so a run's metrics do not depend on where its stages ran. A stage's own job workers run
 * on an in-process bus of this execution (as in embedded mode); the choreography between stages is on the
 * cluster's bus (stage-reactors.ts). A stage whose output under its key is already there is not run again.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NonRetryableError, createBus } from "@ferret/bus";
import type { StageEnvironment, StageName, StageRecord } from "../pipeline/index.js";
import type { RunStage } from "./stage-reactors.js";

export function pipelineStageRunner(env: StageEnvironment): RunStage {
  return async (run, stage, ctx) => {
    const { finishedStage, loadPipelineSpec, planStages, stageOutputDir, stageWorkDir, writeStageOutput } =
      await import("../pipeline/index.js");
    const pipeline = await loadPipelineSpec(run.specFile);
    const plan = await planStages(pipeline);
    const planned = plan.find((p) => p.definition.name === stage);
    const submitted = run.stages.find((s) => s.name === stage);
    if (planned === undefined || submitted === undefined || planned.key !== submitted.key) {
      throw new NonRetryableError(
        `stage ${stage}: ${run.specFile} or its inputs changed since run ${run.runId} was submitted (the stage's key differs); submit a new run`,
      );
    }
    const output = pipeline.spec.output;
    const done = await finishedStage(output, stage, planned.key);
    if (done !== undefined) return { skipped: true, seconds: done.seconds, summary: done.summary };
    const upstream = new Map<StageName, StageRecord>();
    for (const need of planned.needs) {
      const key = run.stages.find((s) => s.name === need)?.key ?? "";
      const record = await finishedStage(output, need, key);
      if (record === undefined) throw new Error(`stage ${stage}: the output of ${need} is not in ${output}`);
      upstream.set(need, record);
    }
    const workDir = stageWorkDir(output, stage);
    await mkdir(workDir, { recursive: true });
    const busDir = await mkdtemp(join(tmpdir(), `ferret-stage-${stage}-`));
    const bus = await createBus({ kind: "memory", dir: busDir });
    try {
      const record = await writeStageOutput(output, stage, planned.key, (dir) =>
        planned.definition.run({
          pipeline,
          key: planned.key,
          bus,
          dir,
          workDir,
          upstream(name) {
            const r = upstream.get(name);
            if (r === undefined) throw new Error(`stage ${stage} read ${name}, which it does not need`);
            return { dir: stageOutputDir(output, name), record: r };
          },
          progress: ctx.progress,
          env,
          signal: ctx.signal,
        }),
      );
      return { skipped: false, seconds: record.seconds, summary: record.summary };
    } finally {
      await bus.close({ graceMs: 1000 });
      await rm(busDir, { recursive: true, force: true });
    }
  };
}
