/** Loads the committed trec_eval 10.0 parity fixtures (see scripts/make-trec-eval-fixtures.py). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync } from "node:zlib";
import {
  parseTrecQrels,
  parseTrecRun,
  parseTrecRunColumns,
  type Qrels,
  type Run,
  type TrecRunColumns,
} from "@ferret/datasets";
import type { EvaluateOptions } from "../evaluate.js";

export const FIXTURE_DIR = fileURLToPath(new URL("../../../fixtures/trec_eval/", import.meta.url));

export interface FixtureConfig {
  config: string;
  qrels: string;
  run: string;
  /** trec_eval's options besides -q: -c, -l n, -J, -M n. */
  options: string[];
  /** The trec_eval measures asked for (trec_eval -m syntax); num_q was asked for too. */
  measures: string[];
  /** trec_eval 10.0's stdout. */
  expected: string;
  /** mrr_cut lines: trec_eval's recip_rank with -M k, renamed. */
  mrrCut: { measures: string[]; expected: string };
  /** judged and auc lines from the generator's own Python (trec_eval lacks them). */
  own: string;
}

export interface Manifest {
  trecEval: { version: string; tag: string; commit: string | null; args: string };
  configs: FixtureConfig[];
}

export interface OwnMeasuresFixture {
  measures: string[];
  lines: string;
  mean: Record<string, number>;
  globalAuc: Record<string, number | null>;
}

export function readFixtureText(relative: string): string {
  const bytes = readFileSync(FIXTURE_DIR + relative);
  return (relative.endsWith(".br") ? brotliDecompressSync(bytes) : bytes).toString("utf8");
}

export function manifest(): Manifest {
  return JSON.parse(readFixtureText("manifest.json")) as Manifest;
}

/** trec_eval's command-line options as evaluate() options. */
export function evaluateOptions(options: readonly string[]): EvaluateOptions {
  const out: EvaluateOptions = {
    completeQueries: options.includes("-c"),
    judgedOnly: options.includes("-J"),
  };
  const value = (flag: string): number | undefined => {
    const i = options.indexOf(flag);
    return i < 0 ? undefined : Number(options[i + 1]);
  };
  const level = value("-l");
  const maxDocs = value("-M");
  if (level !== undefined) out.relevanceThreshold = level;
  if (maxDocs !== undefined) out.maxDocsPerQuery = maxDocs;
  return out;
}

const runs = new Map<string, Run>();
const qrelsCache = new Map<string, Qrels>();
const columnRuns = new Map<string, TrecRunColumns>();

/** The run as columns parsed from its bytes (the path `ferret eval` takes). */
export function loadRunColumns(relative: string): TrecRunColumns {
  let run = columnRuns.get(relative);
  if (run === undefined) {
    run = parseTrecRunColumns(readFixtureText(relative), { file: relative }).columns;
    columnRuns.set(relative, run);
  }
  return run;
}

export function loadRun(relative: string): Run {
  let run = runs.get(relative);
  if (run === undefined) {
    run = parseTrecRun(readFixtureText(relative), { file: relative }).run;
    runs.set(relative, run);
  }
  return run;
}

export function loadQrels(relative: string): Qrels {
  let qrels = qrelsCache.get(relative);
  if (qrels === undefined) {
    qrels = parseTrecQrels(readFixtureText(relative), { file: relative }).qrels;
    qrelsCache.set(relative, qrels);
  }
  return qrels;
}

/**
 * The lines that differ between ours and the reference, as "line N: ours | reference" (at most `limit`),
 * and how many differ in all.
 */
export function lineDiff(ours: string, reference: string, limit = 20): { count: number; first: string[] } {
  const a = ours.split("\n");
  const b = reference.split("\n");
  const first: string[] = [];
  let count = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    count++;
    if (first.length < limit) first.push(`line ${i + 1}: ${JSON.stringify(a[i])} | ${JSON.stringify(b[i])}`);
  }
  return { count, first };
}
