/**
 * The engine's job file (ferret_engine/job.py): what to train (modelDir), on what (trainingSet), where to
 * write (outputDir), and the spec's `training` settings (mode, loss, hyperparameters, checkpointEvery,
 * ...) passed through as they are: the engine validates them and names a bad field itself.
 */
import { join } from "node:path";
import { writeDataAtomically } from "@ferret/datasets";

export interface EngineJobFile {
  modelDir: string;
  trainingSet: string;
  outputDir: string;
  [setting: string]: unknown;
}

export function engineJob(
  training: Record<string, unknown> | undefined,
  paths: { modelDir: string; trainingSet: string; outputDir: string },
): EngineJobFile {
  return { ...training, ...paths };
}

/** Writes the job file atomically; returns its path. */
export async function writeEngineJobFile(dir: string, name: string, job: EngineJobFile): Promise<string> {
  const path = join(dir, name);
  await writeDataAtomically(path, JSON.stringify(job, null, 2) + "\n");
  return path;
}

/** Where the engine puts the exported model inside its output directory. */
export function exportedModelDir(outputDir: string): string {
  return join(outputDir, "model");
}
