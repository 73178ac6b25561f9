/** Loads the committed trec_eval parity fixtures (see scripts/make-trec-eval-fixtures.py). */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync } from "node:zlib";
import { parseTrecQrels, parseTrecRun, type Qrels, type Run } from "@ferret/datasets";

export const FIXTURE_DIR = fileURLToPath(new URL("../../../fixtures/trec_eval/", import.meta.url));

export interface ExpectedFixture {
  config: string;
  qrels: string;
  run: string;
  relevanceLevel: number;
  judgedOnly: boolean;
  measures: string[];
  qrelsQueries: string[];
  perQuery: Record<string, Record<string, number>>;
  perQueryFormatted: Record<string, Record<string, string>>;
  mean: Record<string, number | null>;
  meanFormatted: Record<string, string | null>;
  meanComplete: Record<string, number | null>;
  meanCompleteFormatted: Record<string, string | null>;
  meanCount: Record<string, number>;
  globalAuc: Record<string, number | null>;
  binary?: { file: string; version: string; args: string };
}

export function readFixtureText(relative: string): string {
  const bytes = readFileSync(FIXTURE_DIR + relative);
  return (relative.endsWith(".br") ? brotliDecompressSync(bytes) : bytes).toString("utf8");
}

export function fixtureConfigs(): string[] {
  return (JSON.parse(readFixtureText("manifest.json")) as { configs: string[] }).configs;
}

export function loadExpected(config: string): ExpectedFixture {
  return JSON.parse(readFixtureText(`expected/${config}.json.br`)) as ExpectedFixture;
}

const runs = new Map<string, Run>();
const qrelsCache = new Map<string, Qrels>();

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
