/**
 * Filesystem stage outputs (embedded mode): each stage's output is one directory, <output>/stages/<name>,
 * holding stage.json (its key and summary) beside what it wrote. A stage writes into a fresh temporary
 * directory that is renamed into place only when the stage has finished, so a run killed mid-stage leaves
 * no half output: the next run finds no matching stage.json and does the stage again. Work a stage can
 * resume (engine checkpoints, cached LLM answers) lives in <output>/work/<name>, which survives a kill.
 */
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeDataAtomically } from "@ferret/datasets";

export const STAGE_RECORD_FILE = "stage.json";

export interface StageRecord {
  stage: string;
  key: string;
  finishedAt: string;
  seconds: number;
  /** What the stage reports about its output (counts, chosen α, model paths…). */
  summary: Record<string, unknown>;
}

export const stageOutputDir = (output: string, stage: string): string => join(output, "stages", stage);
export const stageWorkDir = (output: string, stage: string): string => join(output, "work", stage);

/** The finished output of `stage` if its key is `key`; undefined when absent, unreadable or stale. */
export async function finishedStage(
  output: string,
  stage: string,
  key: string,
): Promise<StageRecord | undefined> {
  try {
    const record = JSON.parse(
      await readFile(join(stageOutputDir(output, stage), STAGE_RECORD_FILE), "utf8"),
    ) as StageRecord;
    return record.key === key ? record : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` in a temporary directory beside the stage's output, writes stage.json there last, and then
 * swaps it into place (the old output is moved aside first, then removed).
 */
export async function writeStageOutput(
  output: string,
  stage: string,
  key: string,
  work: (dir: string) => Promise<Record<string, unknown>>,
): Promise<StageRecord> {
  const final = stageOutputDir(output, stage);
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const temp = join(output, "stages", `.${stage}.tmp-${suffix}`);
  await rm(temp, { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  const started = performance.now();
  try {
    const summary = await work(temp);
    const record: StageRecord = {
      stage,
      key,
      finishedAt: new Date().toISOString(),
      seconds: Math.round((performance.now() - started) / 10) / 100,
      summary,
    };
    await writeDataAtomically(join(temp, STAGE_RECORD_FILE), `${JSON.stringify(record, null, 1)}\n`);
    const old = join(output, "stages", `.${stage}.old-${suffix}`);
    await rename(final, old).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
    await rename(temp, final);
    await rm(old, { recursive: true, force: true });
    return record;
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}
