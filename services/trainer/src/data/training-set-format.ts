/**
 * The training-set artifact: the contract between data assembly and the PyTorch engine
 * (services/trainer/engine, ferret_engine/training_set.py). A directory:
 * - training-set.jsonl: the engine's training-set file, one JSON object per query:
 *   {"qid", "query", "positives": [{"id", "text", "grade", "teacher"?}], "negatives": [{"id", "text",
 *   "teacher"?}]}; `teacher` is the teacher's score of the pair (on every pair when the spec distils).
 *   With the curriculum this is stage 1, and training-set.stage2.jsonl is stage 2 (trained after it).
 * - provenance.jsonl: where each pair came from, one line per record in file order (stage 1 then 2):
 *   {"qid", "stage", "positives": [{"id", "sources"}], "negatives": [{"id", "source", "rank", "score"}]}
 *   (`rank`/`score` are the retriever's; 0 for random negatives). The engine rejects unknown fields,
 *   so provenance stays out of its file.
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
export const PROVENANCE_FILE = "provenance.jsonl";

/** The engine file of a stage: training-set.jsonl for stage 1, training-set.stage<N>.jsonl after. */
export function stageFile(stage: number): string {
  return stage === 1 ? TRAINING_SET_FILE : `training-set.stage${stage}.jsonl`;
}
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

/** A record in memory: the engine's example plus where each pair came from. */
export interface TrainingRecord {
  qid: string;
  stage: number;
  query: string;
  positives: PositiveRecord[];
  negatives: NegativeRecord[];
}

/** One line of an engine training-set file. */
export interface EngineExample {
  qid: string;
  query: string;
  positives: { id: string; text: string; grade: number; teacher?: number }[];
  negatives: { id: string; text: string; teacher?: number }[];
}

export interface ProvenanceRecord {
  qid: string;
  stage: number;
  positives: { id: string; sources: PositiveSource[] }[];
  negatives: { id: string; source: NegativeSource; rank: number; score: number }[];
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
  files: {
    /** Engine training-set files in training order. */
    stages: { stage: number; file: string; records: number }[];
    provenance: string;
    batches?: string;
    stats: string;
  };
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
    const stages = [...new Set(artifact.records.map((r) => r.stage))].sort((a, b) => a - b);
    const stageFiles: TrainingSetManifest["files"]["stages"] = [];
    for (const stage of stages) {
      const records = artifact.records.filter((r) => r.stage === stage);
      stageFiles.push({ stage, file: stageFile(stage), records: records.length });
      await writeFileAtomically(join(partial, stageFile(stage)), async (sink) => {
        for (const r of records) await sink.write(JSON.stringify(engineExample(r)) + "\n");
      });
    }
    await writeFileAtomically(join(partial, PROVENANCE_FILE), async (sink) => {
      for (const stage of stages)
        for (const r of artifact.records)
          if (r.stage === stage) await sink.write(JSON.stringify(provenanceOf(r)) + "\n");
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
        stages: stageFiles,
        provenance: PROVENANCE_FILE,
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

/** A record as the engine reads it: texts, grades and teacher scores only. */
export function engineExample(r: TrainingRecord): EngineExample {
  return {
    qid: r.qid,
    query: r.query,
    positives: r.positives.map((p) => ({
      id: p.id,
      text: p.text,
      grade: p.grade,
      ...(p.teacher === undefined ? {} : { teacher: p.teacher }),
    })),
    negatives: r.negatives.map((n) => ({
      id: n.id,
      text: n.text,
      ...(n.teacher === undefined ? {} : { teacher: n.teacher }),
    })),
  };
}

export function provenanceOf(r: TrainingRecord): ProvenanceRecord {
  return {
    qid: r.qid,
    stage: r.stage,
    positives: r.positives.map((p) => ({ id: p.id, sources: p.sources })),
    negatives: r.negatives.map((n) => ({ id: n.id, source: n.source, rank: n.rank, score: n.score })),
  };
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
