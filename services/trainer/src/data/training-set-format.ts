/**
 * The training-set artifact: the contract between data assembly and the PyTorch engine. A directory:
 * - training-set.jsonl: one JSON object per line, one per (stage, query):
 *   {"qid", "stage", "query", "positives": [{"id", "text", "grade", "sources", "teacher"?}],
 *    "negatives": [{"id", "text", "source", "rank", "score", "teacher"?}]}
 *   `teacher` is the teacher's score of the pair (present on every pair when the spec distils);
 *   `rank`/`score` are the retriever's (0 for random negatives). Curriculum stage 1 trains before 2.
 * - batches.jsonl (TAS-Balanced only): one line per batch, in training order:
 *   {"epoch", "batch", "stage", "clusters", "items": [{"qid", "positive", "negative"}]}
 * - stats.json: counts and histograms (training-set-stats.ts).
 * - manifest.json: format name and version, the resolved spec, the files; written last.
 * Every file is written atomically into a fresh directory that replaces the old artifact only once
 * complete, so a failed assembly leaves the previous artifact as it was.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeDataAtomically, writeFileAtomically } from "@ferret/datasets";
import type { PositiveSource } from "./positives.js";
import type { NegativeSource } from "./hard-negatives.js";

export const TRAINING_SET_FORMAT = "ferret-training-set";
export const TRAINING_SET_VERSION = 1;
export const TRAINING_SET_FILE = "training-set.jsonl";
export const BATCHES_FILE = "batches.jsonl";
export const STATS_FILE = "stats.json";
export const MANIFEST_FILE = "manifest.json";

export interface PositiveRecord {
  id: string;
  text: string;
  grade: number;
  sources: PositiveSource[];
  teacher?: number;
}

export interface NegativeRecord {
  id: string;
  text: string;
  source: NegativeSource;
  rank: number;
  score: number;
  teacher?: number;
}

export interface TrainingRecord {
  qid: string;
  stage: number;
  query: string;
  positives: PositiveRecord[];
  negatives: NegativeRecord[];
}

export interface BatchItem {
  qid: string;
  positive: string;
  negative: string;
}

export interface BatchRecord {
  epoch: number;
  batch: number;
  stage: number;
  /** The query clusters the batch was drawn from (one, unless a cluster ran out). */
  clusters: number[];
  items: BatchItem[];
}

export interface TrainingSetManifest {
  format: typeof TRAINING_SET_FORMAT;
  version: typeof TRAINING_SET_VERSION;
  spec: unknown;
  files: { trainingSet: string; batches?: string; stats: string };
}

export interface TrainingSetArtifact {
  records: readonly TrainingRecord[];
  batches?: readonly BatchRecord[] | undefined;
  stats: unknown;
  spec: unknown;
}

export async function writeTrainingSet(dir: string, artifact: TrainingSetArtifact): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}.${randomBytes(4).toString("hex")}`;
  const partial = join(parent, `.${basename(dir)}.partial-${tag}`);
  try {
    await writeFileAtomically(join(partial, TRAINING_SET_FILE), async (sink) => {
      for (const r of artifact.records) await sink.write(JSON.stringify(r) + "\n");
    });
    if (artifact.batches) {
      const batches = artifact.batches;
      await writeFileAtomically(join(partial, BATCHES_FILE), async (sink) => {
        for (const b of batches) await sink.write(JSON.stringify(b) + "\n");
      });
    }
    await writeDataAtomically(join(partial, STATS_FILE), JSON.stringify(artifact.stats, null, 2) + "\n");
    const manifest: TrainingSetManifest = {
      format: TRAINING_SET_FORMAT,
      version: TRAINING_SET_VERSION,
      spec: artifact.spec,
      files: {
        trainingSet: TRAINING_SET_FILE,
        ...(artifact.batches ? { batches: BATCHES_FILE } : {}),
        stats: STATS_FILE,
      },
    };
    await writeDataAtomically(join(partial, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
    await swapInto(partial, dir, tag);
  } catch (err) {
    await rm(partial, { recursive: true, force: true });
    throw err;
  }
}

/** Renames the complete directory into place; the old artifact is moved aside first, then removed. */
async function swapInto(partial: string, dir: string, tag: string): Promise<void> {
  const old = join(dirname(dir), `.${basename(dir)}.old-${tag}`);
  const existed = await stat(dir).then(
    () => true,
    () => false,
  );
  if (existed) await rename(dir, old);
  try {
    await rename(partial, dir);
  } catch (err) {
    if (existed) await rename(old, dir);
    throw err;
  }
  if (existed) await rm(old, { recursive: true, force: true });
}
