import { InvalidArgumentError } from "@ferret/errors";
import type { Bm25Index, Bm25SearchOptions, TopDocs } from "./bm25-index.js";
import type { DocVectors } from "./field-index.js";

const f = Math.fround;

/**
 * RM3 pseudo-relevance feedback (Lavrenko and Croft, "Relevance-based language models", SIGIR 2001;
 * Abdul-Jaleel et al., "UMass at TREC 2004", the RM3 interpolation), exactly as Anserini's
 * Rm3Reranker and FeatureVector compute it, float for float:
 *
 * 1. The query model: the query's analyzed terms by count, scaled to unit L1 norm.
 * 2. For each of the top fbDocs first-round documents (score descending, ties by document id), its
 *    term vector restricted to terms of 2-20 characters matching [a-z0-9]+ with document frequency at
 *    most 10% of the collection, pruned to the fbTerms most frequent (ties by term), L1-normalised.
 * 3. The relevance model: Σ_d (tf(t,d) / |d|) · score(d) over those documents, pruned to fbTerms
 *    terms, scaled to unit L1 norm.
 * 4. The new query: originalQueryWeight · query model + (1 − originalQueryWeight) · relevance model,
 *    each term a BM25 clause boosted by its weight.
 */

export interface Rm3Options {
  fbTerms?: number;
  fbDocs?: number;
  originalQueryWeight?: number;
}

/** Anserini's defaults. */
export const ANSERINI_RM3: Readonly<Required<Rm3Options>> = Object.freeze({
  fbTerms: 10,
  fbDocs: 10,
  originalQueryWeight: 0.5,
});

export function validateRm3Options(options: Rm3Options): void {
  for (const key of ["fbTerms", "fbDocs"] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new InvalidArgumentError(`RM3 ${key} must be a positive integer, got ${v}`);
    }
  }
  const w = options.originalQueryWeight;
  if (w !== undefined && !(w >= 0 && w <= 1)) {
    throw new InvalidArgumentError(`RM3 originalQueryWeight must be between 0 and 1, got ${w}`);
  }
}

type Vector = Map<string, number>;

/** FeatureVector.getOrderedFeatures(VALUE_DESCENDING): value descending, then term ascending by Java's
 * String.compareTo, which is UTF-16 code unit order: JS `<` (not the trec_eval order of @ferret/datasets). */
function ordered(v: Vector): [string, number][] {
  return [...v].sort((a, b) => (a[1] !== b[1] ? b[1] - a[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function pruneToSize(v: Vector, k: number): Vector {
  return new Map(ordered(v).slice(0, k));
}

function l1Norm(v: Vector): number {
  let norm = 0;
  for (const x of v.values()) norm += Math.abs(x);
  return norm;
}

function scaleToUnitL1Norm(v: Vector): Vector {
  const norm = l1Norm(v);
  return new Map([...v].map(([t, x]) => [t, f(x / norm)]));
}

const FEEDBACK_TERM = /^[a-z0-9]+$/;
const MAX_DF_RATIO = f(0.1);

function docVector(index: Bm25Index, vectors: DocVectors, doc: number): Vector {
  const field = index.contents;
  const numDocs = index.numDocs;
  const v: Vector = new Map();
  const end = vectors.starts[doc + 1] as number;
  for (let i = vectors.starts[doc] as number; i < end; i++) {
    const termId = vectors.terms[i] as number;
    const term = field.terms[termId] as string;
    if (term.length < 2 || term.length > 20 || !FEEDBACK_TERM.test(term)) continue;
    const df = (field.starts[termId + 1] as number) - (field.starts[termId] as number);
    if (f(f(df) / numDocs) > MAX_DF_RATIO) continue;
    v.set(term, f(vectors.freqs[i] as number));
  }
  return v;
}

/** The expanded, weighted query RM3 derives from the query and its first-round results. */
export function rm3ExpandedQuery(
  index: Bm25Index,
  queryText: string,
  firstRound: TopDocs,
  options: Rm3Options = {},
): Map<string, number> {
  validateRm3Options(options);
  const { fbTerms, fbDocs, originalQueryWeight } = { ...ANSERINI_RM3, ...options };
  const vectors = index.docVectors;

  const queryModel = scaleToUnitL1Norm(index.queryTerms(queryText));

  const n = Math.min(fbDocs, firstRound.docs.length);
  const docVectors: Vector[] = [];
  const vocab = new Set<string>();
  for (let i = 0; i < n; i++) {
    const v = pruneToSize(docVector(index, vectors, firstRound.docs[i] as number), fbTerms);
    for (const t of v.keys()) vocab.add(t);
    docVectors.push(v);
  }
  const norms = docVectors.map((v) => f(l1Norm(v)));
  let relevance: Vector = new Map();
  for (const term of vocab) {
    let weight = 0;
    for (let i = 0; i < n; i++) {
      const norm = norms[i] as number;
      if (norm > f(0.001)) {
        const tf = (docVectors[i] as Vector).get(term) ?? 0;
        weight = f(weight + f(f(tf / norm) * (firstRound.scores[i] as number)));
      }
    }
    relevance.set(term, weight);
  }
  relevance = scaleToUnitL1Norm(pruneToSize(relevance, fbTerms));

  // FeatureVector.interpolate: (float) (w · q + (1.0 − w) · r), the first product in float.
  const w = f(originalQueryWeight);
  const expanded = new Map<string, number>();
  for (const term of new Set([...queryModel.keys(), ...relevance.keys()])) {
    const q = queryModel.get(term) ?? 0;
    const r = relevance.get(term) ?? 0;
    expanded.set(term, f(f(w * q) + (1.0 - w) * r));
  }
  return expanded;
}

/** BM25 then RM3: first round, feedback from its top fbDocs, second round with the expanded query. */
export function searchWithRm3(
  index: Bm25Index,
  queryText: string,
  options: Bm25SearchOptions & { rm3?: Rm3Options } = {},
): TopDocs {
  const fbDocs = options.rm3?.fbDocs ?? ANSERINI_RM3.fbDocs;
  // The feedback set is Anserini's first round: the top fbDocs with ties ordered by document id.
  const first = index.search(queryText, { ...options, k: fbDocs, tieBreak: "docid" });
  const expanded = rm3ExpandedQuery(index, queryText, first, options.rm3);
  return index.searchTerms(expanded, options);
}
