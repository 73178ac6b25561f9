/**
 * Lucene 9's BM25Similarity (org.apache.lucene.search.similarities.BM25Similarity), float for
 * float: Robertson et al.'s BM25 in Lucene's form
 *
 *   score(t, d) = boost · idf(t) · tf / (tf + k1 · (1 − b + b · dl / avgdl))
 *   idf(t)      = ln(1 + (N − df + 0.5) / (df + 0.5))
 *
 * without the (k1 + 1) numerator factor (dropped in Lucene 8; it does not change rankings), dl the
 * length decoded from the one-byte norm (small-float.ts), avgdl = sumTotalTermFreq / docCount, and
 * N = docCount (documents with at least one term in the field). Lucene computes in float32 and sums
 * a document's clause scores in double before rounding to float; Math.fround replays each step.
 */
import { InvalidArgumentError } from "@ferret/errors";
import { LENGTH_TABLE } from "./small-float.js";

const f = Math.fround;

export interface Bm25Params {
  k1: number;
  b: number;
}

/** Anserini's defaults (k1 = 0.9, b = 0.4), not Lucene's (1.2, 0.75). */
export const ANSERINI_BM25: Readonly<Bm25Params> = Object.freeze({ k1: 0.9, b: 0.4 });

export function validateBm25Params(params: Bm25Params): void {
  if (!Number.isFinite(params.k1) || params.k1 < 0) {
    throw new InvalidArgumentError(`illegal k1 value: ${params.k1}, must be a non-negative finite value`);
  }
  if (!(params.b >= 0 && params.b <= 1)) {
    throw new InvalidArgumentError(`illegal b value: ${params.b}, must be between 0 and 1`);
  }
}

/** BM25Similarity.idf, as a float. */
export function idf(docFreq: number, docCount: number): number {
  return f(Math.log(1 + (docCount - docFreq + 0.5) / (docFreq + 0.5)));
}

/** BM25Similarity.avgFieldLength, as a float. */
export function avgFieldLength(sumTotalTermFreq: number, docCount: number): number {
  return f(sumTotalTermFreq / docCount);
}

/** The 256-entry cache of 1 / (k1 · (1 − b + b · dl / avgdl)), one per norm byte, as Lucene builds it. */
export function normInverseCache(params: Bm25Params, avgdl: number): Float32Array {
  const k1 = f(params.k1);
  const b = f(params.b);
  const cache = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    cache[i] = f(1 / f(k1 * f(f(1 - b) + f(f(b * (LENGTH_TABLE[i] as number)) / avgdl))));
  }
  return cache;
}

/** BM25Scorer.weight: boost · idf in float. */
export function clauseWeight(boost: number, termIdf: number): number {
  return f(f(boost) * termIdf);
}

/** BM25Scorer.score: weight − weight / (1 + freq · normInverse), monotone in freq · normInverse. */
export function termScore(weight: number, freq: number, normInverse: number): number {
  return f(weight - f(weight / f(1 + f(freq * normInverse))));
}
