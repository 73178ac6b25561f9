/**
 * The ranker's committed fixtures (scripts/make-fixtures.py): the tiny random-weight cross-encoder
 * fixtures/tiny-ce (fp32 + int8), the embedded-BM25 run fixtures/mini-bm25-top20.trec of examples/mini,
 * and reference.json with PyTorch's logit (and onnxruntime's int8 logit) for every pair of that run.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const at = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export const FIXTURES_DIR = at("../../fixtures/");
export const TINY_CE = at("../../fixtures/tiny-ce");
export const MINI_RUN = at("../../fixtures/mini-bm25-top20.trec");
export const EXAMPLES_DIR = at("../../../../examples/");
export const MINI_DIR = at("../../../../examples/mini");

export interface PairReference {
  queryId: string;
  docId: string;
  query: string;
  passage: string;
  ids: number[];
  /** PyTorch BertForSequenceClassification, fp32, one pair at a time. */
  logit: number;
  /** onnxruntime (Python) on model.int8.onnx. */
  int8Logit: number;
}

export interface Reference {
  maxLength: number;
  pairs: PairReference[];
}

export function readReference(): Reference {
  return JSON.parse(readFileSync(at("../../fixtures/reference.json"), "utf8")) as Reference;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
