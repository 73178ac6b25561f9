/**
 * A cluster run's record from a pipeline spec file, planned where it is submitted (`ferret run --cluster`,
 * the pipeline API's SubmitRun) exactly as embedded mode plans it: the spec checked, the preflight checks
 * passed (a missing dataset, model or LLM endpoint fails here, before any work), every stage's key.
 */
import { resolve } from "node:path";
import type { RunRecord } from "./pipeline-run.js";

export interface PlanRunOptions {
  /** Default: the spec's name and a time stamp. */
  runId?: string | undefined;
  manual?: boolean;
}

function defaultRunId(run: { name?: string | undefined }): string {
  const name = (run.name ?? "run").replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 60);
  return `${name}-${Date.now().toString(36)}`;
}

export async function planClusterRun(specFile: string, options: PlanRunOptions = {}): Promise<RunRecord> {
  const { loadPipelineSpec, planStages, preflight } = await import("../pipeline/index.js");
  const pipeline = await loadPipelineSpec(specFile);
  await preflight(pipeline);
  const plan = await planStages(pipeline);
  return {
    runId: options.runId ?? defaultRunId(pipeline.spec),
    specFile: resolve(specFile),
    output: pipeline.spec.output,
    stages: plan.map((p) => ({ name: p.definition.name, key: p.key, needs: p.needs })),
    submittedAt: new Date().toISOString(),
    ...(options.manual === true ? { manual: true } : {}),
  };
}
