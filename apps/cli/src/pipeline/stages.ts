/**
 * The pipeline's stage graph, shared by both ways to run it: ingest → (annotate) → (assemble → train) →
 * evaluate → report. A stage definition says when it runs, what decides its output (config and input
 * files, hashed into its key with its upstream stages' keys) and how it does its work, through the
 * services' own job APIs on whatever bus it is handed: embedded mode hands it the in-process bus and a
 * temporary output directory (run-embedded.ts); cluster mode can hand it NATS and react to completion
 * events instead of walking the list in order.
 */
import type { Bus } from "@ferret/bus";
import type { Logger } from "@ferret/logging";
import type { LoadedPipelineSpec } from "./load-pipeline-spec.js";
import { annotateStage } from "./stage-annotate.js";
import { assembleStage } from "./stage-assemble.js";
import { evaluateStage } from "./stage-evaluate.js";
import { ingestStage } from "./stage-ingest.js";
import { pathDigest, stageKey } from "./stage-key.js";
import { reportStage } from "./stage-report.js";
import type { StageRecord } from "./stage-store.js";
import { trainStage } from "./stage-train.js";

export type StageName = "ingest" | "annotate" | "assemble" | "train" | "evaluate" | "report";

/** What the process running the stages provides (the engine's Python, versions for the report). */
export interface StageEnvironment {
  /** The trainer engine's Python (the .venv `make trainer-env` creates). */
  python: string;
  /** Directory holding the ferret_engine package. */
  engineDir: string;
  /** Extra environment for the engine (thread counts). */
  engineEnv?: NodeJS.ProcessEnv;
  /** Recorded in the report so the run can be reproduced. */
  versions: Record<string, string>;
  log: Logger;
}

export interface StageContext {
  pipeline: LoadedPipelineSpec;
  /** This stage's key (job ids and bus names derive from it, so a rerun resumes the same jobs). */
  key: string;
  bus: Bus;
  /** Where the stage writes its output (made visible only when the stage finishes). */
  dir: string;
  /** Scratch that survives an interrupted run (checkpoints, cached LLM answers). */
  workDir: string;
  /** A finished upstream stage's output directory and record. */
  upstream(stage: StageName): { dir: string; record: StageRecord };
  /** Progress of this stage: `done` of `total` `unit`s. */
  progress(done: number, total: number, unit: string): void;
  env: StageEnvironment;
  signal?: AbortSignal;
}

/** The parts of a stage's key the stage itself decides. */
export interface StageKeyInputs {
  config: unknown;
  /** Files and directories whose contents decide the output, by role. */
  paths: Record<string, string>;
}

export interface StageDefinition {
  name: StageName;
  /** One line for the progress view. */
  title: string;
  enabled(pipeline: LoadedPipelineSpec): boolean;
  /** The upstream stages whose outputs it reads (only enabled ones are named). */
  needs(pipeline: LoadedPipelineSpec): StageName[];
  keyInputs(pipeline: LoadedPipelineSpec): StageKeyInputs;
  /** Does the work into ctx.dir; what it returns is kept as the stage record's summary. */
  run(ctx: StageContext): Promise<Record<string, unknown>>;
}

/** Every stage, in an order where each comes after what it needs. */
export const STAGES: readonly StageDefinition[] = [
  ingestStage,
  annotateStage,
  assembleStage,
  trainStage,
  evaluateStage,
  reportStage,
];

export interface PlannedStage {
  definition: StageDefinition;
  key: string;
  needs: StageName[];
}

/**
 * The enabled stages with their keys: each key hashes the stage's config, the digests of its input
 * paths and the keys of the stages it needs, so a change anywhere upstream changes every key below it.
 */
export async function planStages(pipeline: LoadedPipelineSpec): Promise<PlannedStage[]> {
  const digests = new Map<string, Promise<string>>();
  const keys = new Map<StageName, string>();
  const planned: PlannedStage[] = [];
  for (const definition of STAGES) {
    if (!definition.enabled(pipeline)) continue;
    const needs = definition.needs(pipeline);
    const { config, paths } = definition.keyInputs(pipeline);
    const inputs: Record<string, string> = {};
    for (const [role, path] of Object.entries(paths)) inputs[role] = await pathDigest(path, digests);
    const upstream = Object.fromEntries(needs.map((n) => [n, keys.get(n)!]));
    const key = stageKey({ stage: definition.name, config, inputs, upstream });
    keys.set(definition.name, key);
    planned.push({ definition, key, needs });
  }
  return planned;
}
