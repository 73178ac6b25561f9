/**
 * Reference fixtures for the service tests, read straight from the committed files:
 *   - fixtures/trec_eval/: runs, qrels and full-precision pytrec_eval values (pytrec/, trec_eval 9.0.8's measure
 *     code; scripts/make-trec-eval-fixtures.py, which also records trec_eval 10.0's own output lines);
 *   - fixtures/service/compare-ranx.json.gz: ranx.compare p-values (scripts/make-service-fixtures.py);
 *   - packages/fusion/fixtures/ranx-fusion.json.gz: ranx.fuse outputs (scripts/make-ranx-fixtures.py).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import type { Run as RunMessage } from "@ferret/proto";

const EVALUATOR_DIR = fileURLToPath(new URL("../../../", import.meta.url));
export const TREC_EVAL_FIXTURES = `${EVALUATOR_DIR}fixtures/trec_eval/`;

export type RunDict = Record<string, Record<string, number>>;

/** A file of fixtures/trec_eval/, brotli-decompressed when it ends in .br. */
export function trecEvalFixtureText(relative: string): string {
  const bytes = readFileSync(TREC_EVAL_FIXTURES + relative);
  return (relative.endsWith(".br") ? brotliDecompressSync(bytes) : bytes).toString("utf8");
}

export interface TrecEvalExpected {
  config: string;
  qrels: string;
  run: string;
  relevanceLevel: number;
  judgedOnly: boolean;
  measures: string[];
  qrelsQueries: string[];
  perQuery: Record<string, Record<string, number>>;
  mean: Record<string, number | null>;
  meanComplete: Record<string, number | null>;
}

export function trecEvalExpected(config: string): TrecEvalExpected {
  return JSON.parse(trecEvalFixtureText(`pytrec/${config}.json.br`)) as TrecEvalExpected;
}

export interface CompareRanxFixture {
  measures: string[];
  systems: string[];
  baseline: string;
  qrels: Record<string, Record<string, number>>;
  runs: Record<string, RunDict>;
  means: Record<string, Record<string, number>>;
  student: { treatment: string; measure: string; pValue: number; holmPValue: number }[];
  fisher: {
    treatment: string;
    measure: string;
    permutations: number;
    pValue: number;
    standardError: number;
  }[];
}

export function compareRanxFixture(): CompareRanxFixture {
  const bytes = readFileSync(`${EVALUATOR_DIR}fixtures/service/compare-ranx.json.gz`);
  return JSON.parse(gunzipSync(bytes).toString("utf8")) as CompareRanxFixture;
}

export interface RanxFusionFixture {
  inputs: Record<"bm25" | "char4" | "bm25-title", RunDict>;
  fused: Array<{
    inputs: string;
    norm: string | null;
    method: "wsum" | "sum" | "mnz" | "rrf";
    params: { weights?: number[]; k?: number };
    run: RunDict;
  }>;
}

export function ranxFusionFixture(): RanxFusionFixture {
  const bytes = readFileSync(`${EVALUATOR_DIR}../../packages/fusion/fixtures/ranx-fusion.json.gz`);
  return JSON.parse(gunzipSync(bytes).toString("utf8")) as RanxFusionFixture;
}

/** A Run message of a qid -> docid -> score dict (documents in the dict's order). */
export function runMessageOf(dict: RunDict, name = ""): RunMessage {
  return {
    name,
    rankings: Object.entries(dict).map(([queryId, docs]) => ({
      queryId,
      docs: Object.entries(docs).map(([docId, score], i) => ({ docId, score, rank: i + 1 })),
    })),
  };
}

/** |actual − expected| <= tolerance · max(1, |expected|). */
export function close(actual: number | undefined, expected: number, tolerance = 1e-9): boolean {
  return actual !== undefined && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
}
