/** Loads packages/fusion/fixtures/ranx-fusion.json.gz (written by services/evaluator/scripts/make-ranx-fixtures.py). */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import type { Run } from "../types.js";

export type RunDict = Record<string, Record<string, number>>;

export interface RanxFusionFixture {
  queries: string[];
  qrels: RunDict;
  inputs: Record<"bm25" | "char4" | "bm25-title", RunDict>;
  edgeInputs: Record<"a" | "b", RunDict>;
  normalized: Array<{ input: "bm25" | "char4" | "edge-a"; norm: string; run: RunDict }>;
  fused: Array<{
    inputs: "bm25+char4" | "edge" | "bm25+char4+bm25-title";
    norm: string | null;
    method: "wsum" | "sum" | "mnz" | "rrf";
    params: { weights?: number[]; k?: number };
    run: RunDict;
  }>;
  pyserini: Array<{
    alpha: number;
    normalization: boolean;
    weightOnDense: boolean;
    k0: number;
    k: number;
    run: RunDict;
  }>;
  alphaSweep: {
    tuningQueries: string[];
    metric: string;
    norm: string;
    step: number;
    bestWeights: number[];
    curve: Array<{ weights: number[]; score: number }>;
  };
}

let cached: RanxFusionFixture | undefined;

export function ranxFusionFixture(): RanxFusionFixture {
  cached ??= JSON.parse(
    gunzipSync(readFileSync(new URL("../../fixtures/ranx-fusion.json.gz", import.meta.url))).toString("utf8"),
  ) as RanxFusionFixture;
  return cached;
}

export function toRun(dict: RunDict): Run {
  return new Map(Object.entries(dict).map(([qid, docs]) => [qid, new Map(Object.entries(docs))]));
}

/** |actual − expected| <= 1e-9 · max(1, |expected|): absolute for scores near 1, relative for large ones. */
export function close(actual: number, expected: number, tolerance = 1e-9): boolean {
  return Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
}

/** Every (qid, docid) of expected is in actual with a close score and vice versa; returns the mismatches. */
export function runMismatches(actual: Run, expected: RunDict, only?: (qid: string) => boolean): string[] {
  const problems: string[] = [];
  for (const [qid, docs] of Object.entries(expected)) {
    if (only !== undefined && !only(qid)) continue;
    const got = actual.get(qid);
    if (got === undefined) {
      problems.push(`${qid}: missing query`);
      continue;
    }
    if (got.size !== Object.keys(docs).length)
      problems.push(`${qid}: ${got.size} docs, expected ${Object.keys(docs).length}`);
    for (const [doc, score] of Object.entries(docs)) {
      const s = got.get(doc);
      if (s === undefined || !close(s, score)) problems.push(`${qid}/${doc}: ${s} != ${score}`);
    }
  }
  for (const qid of actual.keys()) {
    if (!(qid in expected) && (only === undefined || only(qid))) problems.push(`${qid}: unexpected query`);
  }
  return problems;
}

/** Queries in which some score occurs twice (rank-based outputs then depend on the tie rule). */
export function queriesWithTies(...runs: RunDict[]): Set<string> {
  const tied = new Set<string>();
  for (const run of runs) {
    for (const [qid, docs] of Object.entries(run)) {
      const scores = Object.values(docs);
      if (new Set(scores).size !== scores.length) tied.add(qid);
    }
  }
  return tied;
}
