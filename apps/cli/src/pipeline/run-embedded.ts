/**
 * Embedded mode: every stage in this process, in graph order, on an in-process bus (the services' job
 * workers run here), with filesystem stage outputs (stage-store.ts) and embedded indexes. A stage whose
 * output under its key is already there is skipped; one that was interrupted runs again from its work
 * directory (checkpoints, cached LLM answers). Nothing starts before the preflight checks pass.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus } from "@ferret/bus";
import { InternalError } from "@ferret/errors";
import type { LoadedPipelineSpec } from "./load-pipeline-spec.js";
import { preflight } from "./preflight.js";
import { stageProgressView } from "./stage-progress.js";
import {
  finishedStage,
  stageOutputDir,
  stageWorkDir,
  writeStageOutput,
  type StageRecord,
} from "./stage-store.js";
import { planStages, type StageEnvironment, type StageName } from "./stages.js";

export interface EmbeddedRunOptions {
  env: StageEnvironment;
  /** The progress view (stderr); false turns it off. */
  progress?: boolean;
  progressStream?: NodeJS.WriteStream;
  signal?: AbortSignal;
}

export interface StageOutcome {
  stage: StageName;
  key: string;
  skipped: boolean;
  record: StageRecord;
}

export interface EmbeddedRunResult {
  stages: StageOutcome[];
  /** report.html in the run directory. */
  reportHtml: string;
}

export async function runEmbedded(
  pipeline: LoadedPipelineSpec,
  options: EmbeddedRunOptions,
): Promise<EmbeddedRunResult> {
  await preflight(pipeline);
  const plan = await planStages(pipeline);
  const output = pipeline.spec.output;
  const view = stageProgressView(
    plan.map((p) => p.definition.name),
    {
      enabled: options.progress !== false,
      ...(options.progressStream ? { stream: options.progressStream } : {}),
    },
  );
  const busDir = await mkdtemp(join(tmpdir(), "ferret-run-bus-"));
  const bus = await createBus({ kind: "memory", dir: busDir });
  const records = new Map<StageName, StageRecord>();
  const outcomes: StageOutcome[] = [];
  let current: StageName | undefined;
  try {
    for (const { definition, key } of plan) {
      const name = definition.name;
      current = name;
      const finished = await finishedStage(output, name, key);
      if (finished) {
        records.set(name, finished);
        outcomes.push({ stage: name, key, skipped: true, record: finished });
        view.skip(name, key);
        continue;
      }
      view.start(name);
      const workDir = stageWorkDir(output, name);
      await mkdir(workDir, { recursive: true });
      const record = await writeStageOutput(output, name, key, (dir) =>
        definition.run({
          pipeline,
          key,
          bus,
          dir,
          workDir,
          upstream(stage) {
            const r = records.get(stage);
            if (!r) throw new InternalError(`stage ${name} read ${stage}, which has not finished`);
            return { dir: stageOutputDir(output, stage), record: r };
          },
          progress: (done, total, unit) => view.update(name, done, total, unit),
          env: options.env,
          ...(options.signal ? { signal: options.signal } : {}),
        }),
      );
      records.set(name, record);
      outcomes.push({ stage: name, key, skipped: false, record });
      view.finish(name, record.seconds);
    }
    current = undefined;
  } catch (err) {
    if (current) view.fail(current, (err as Error).message);
    throw err;
  } finally {
    view.stop();
    await bus.close({ graceMs: 1000 });
    await rm(busDir, { recursive: true, force: true });
  }
  const report = records.get("report")!;
  return { stages: outcomes, reportHtml: String(report.summary.html) };
}
