import { compareCodePoints } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import { createAnalyzer, type Analyzer, type AnalyzerName } from "../analysis/analyzer.js";
import {
  ANSERINI_BM25,
  avgFieldLength,
  clauseWeight,
  idf,
  normInverseCache,
  validateBm25Params,
  type Bm25Params,
} from "./bm25-similarity.js";
import { postingsOf, type Clause } from "./clauses.js";
import { ExhaustiveScorer } from "./exhaustive-scorer.js";
import { invertPostings, type DocVectors, type FieldIndex } from "./field-index.js";
import type { BuiltIndex, FieldLayout } from "./index-builder.js";
import { maxScoreTopK } from "./maxscore-scorer.js";
import { fillBlockImpacts, postingBlocks, type PostingBlocks } from "./posting-blocks.js";

const f = Math.fround;

export type TopKAlgorithm = "maxscore" | "exhaustive";

/**
 * How equal scores are ordered, also when choosing the top k: "index" is Lucene's TopScoreDocCollector
 * (the earlier indexed document first); "docid" is Anserini's sort (score, then the id field as a
 * string): document ids ascending in code point order (Lucene's BytesRef order on UTF-8).
 */
export type TieBreak = "index" | "docid";

export interface Bm25SearchOptions {
  /** Number of hits (default 1000, as Anserini's -hits). */
  k?: number;
  /** BM25 parameters for this search; default: the index's. */
  bm25?: Bm25Params;
  algorithm?: TopKAlgorithm;
  /** Multifield only: weight of each field's sub-query (Anserini's -fields contents=1.0 title=1.0). */
  fieldWeights?: Readonly<Record<string, number>>;
  /** Order of equal scores (default "index"). */
  tieBreak?: TieBreak;
}

/** Internal document numbers and float scores, best first (score descending, then the tie break). */
export interface TopDocs {
  docs: Int32Array;
  scores: Float32Array;
}

/** A weighted bag of terms: term -> boost (its count in the query, or an RM3 weight). */
export type WeightedTerms = ReadonlyMap<string, number>;

interface FieldScoring {
  cache: Float32Array;
  /** Per term, max over its postings of float(freq · normInverse); NaN until first needed. */
  maxImpact: Float32Array;
  /** Per posting block, the same maximum over the block (filled with the term's maxImpact). */
  blockImpacts: Float32Array;
}

/**
 * The embedded BM25 index: Lucene's scoring (bm25-similarity.ts) over in-memory typed-array postings,
 * top-k by MaxScore. Immutable once built or loaded; a search allocates only per-query buffers.
 */
export class Bm25Index {
  readonly analyzer: Analyzer;
  private readonly scoring = new Map<string, FieldScoring[]>();
  private blocks: PostingBlocks[] | undefined;
  private exhaustive: ExhaustiveScorer | undefined;
  private docNumbers: Map<string, number> | undefined;
  private idRanks: Int32Array | undefined;

  constructor(
    readonly analyzerName: AnalyzerName,
    readonly layout: FieldLayout,
    readonly docIds: readonly string[],
    readonly fields: readonly FieldIndex[],
    private vectors: DocVectors | undefined,
    readonly defaultBm25: Readonly<Bm25Params> = ANSERINI_BM25,
  ) {
    validateBm25Params(defaultBm25);
    this.analyzer = createAnalyzer(analyzerName);
  }

  static fromBuilt(built: BuiltIndex, bm25: Bm25Params = ANSERINI_BM25): Bm25Index {
    return new Bm25Index(built.analyzer, built.layout, built.docIds, built.fields, undefined, bm25);
  }

  get numDocs(): number {
    return this.docIds.length;
  }

  /** The "contents" field: the whole document in the flat layout, the body in multifield. */
  get contents(): FieldIndex {
    return this.fields[0] as FieldIndex;
  }

  /** The internal number of the document with this external id. */
  docNumber(id: string): number | undefined {
    this.docNumbers ??= new Map(this.docIds.map((d, i) => [d, i] as [string, number]));
    return this.docNumbers.get(id);
  }

  /** Per document, the rank of its id in code point order (the "docid" tie break's key); built once. */
  get docIdRanks(): Int32Array {
    this.idRanks ??= rankIds(this.docIds);
    return this.idRanks;
  }

  /** The id ranks if already built (so worker threads can share them instead of sorting again). */
  get docIdRanksIfBuilt(): Int32Array | undefined {
    return this.idRanks;
  }

  /** Adopts id ranks built elsewhere (a worker thread's view of a shared index). */
  useDocIdRanks(ranks: Int32Array): void {
    if (ranks.length !== this.numDocs)
      throw new InvalidArgumentError(`id ranks cover ${ranks.length} documents, the index ${this.numDocs}`);
    this.idRanks = ranks;
  }

  /** Term vectors of the contents field (for RM3); derived from the postings on first use if not given. */
  get docVectors(): DocVectors {
    this.vectors ??= invertPostings(this.contents, this.numDocs);
    return this.vectors;
  }

  /** The query's terms with their counts, as Anserini's BagOfWordsQueryGenerator weighs them. */
  queryTerms(text: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of this.analyzer.analyze(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
    return counts;
  }

  /** Top k for query text. */
  search(text: string, options: Bm25SearchOptions = {}): TopDocs {
    return this.searchTerms(this.queryTerms(text), options);
  }

  /** Top k for a weighted bag of (already analyzed) terms. */
  searchTerms(terms: WeightedTerms, options: Bm25SearchOptions = {}): TopDocs {
    const k = options.k ?? 1000;
    if (!Number.isInteger(k) || k < 0)
      throw new InvalidArgumentError(`k must be a non-negative integer, got ${k}`);
    // The top k of N documents holds at most N: a huge k (a client's 2^32 - 1) must not size the heap.
    const topK = Math.min(k, this.numDocs);
    const clauses = this.clauses(terms, options);
    const tieKeys = options.tieBreak === "docid" ? this.docIdRanks : undefined;
    // Pruning bounds a clause's scores by its largest impact, which holds for positive weights only.
    if ((options.algorithm ?? "maxscore") === "exhaustive" || clauses.some((c) => !(c.weight >= 0))) {
      this.exhaustive ??= new ExhaustiveScorer(this.numDocs);
      return this.exhaustive.topK(clauses, topK, tieKeys);
    }
    return maxScoreTopK(clauses, topK, tieKeys);
  }

  /** One clause per (field, term present in the field), weighted boost · fieldWeight · idf. */
  clauses(terms: WeightedTerms, options: Bm25SearchOptions = {}): Clause[] {
    const bm25 = options.bm25 ?? this.defaultBm25;
    const scoring = this.fieldScoring(bm25);
    const clauses: Clause[] = [];
    this.fields.forEach((field, fi) => {
      const fieldWeight = options.fieldWeights?.[field.name] ?? 1;
      if (fieldWeight === 0 || field.docCount === 0) return;
      const fs = scoring[fi] as FieldScoring;
      const blocks = this.postingBlocks[fi] as PostingBlocks;
      for (const [term, boost] of terms) {
        const termId = field.termIds.get(term);
        if (termId === undefined) continue;
        const { docs, freqs } = postingsOf(field, termId);
        // BoostQuery(fieldQuery, fieldWeight) passes boost·fieldWeight down to each TermQuery.
        const weight = clauseWeight(f(f(boost) * f(fieldWeight)), idf(docs.length, field.docCount));
        const x = this.maxImpact(field, fs, termId);
        const firstBlock = blocks.starts[termId] as number;
        const endBlock = blocks.starts[termId + 1] as number;
        clauses.push({
          docs,
          freqs,
          norms: field.norms,
          cache: fs.cache,
          weight,
          maxScore: f(weight - f(weight / f(1 + x))),
          blockLastDocs: blocks.lastDocs.subarray(firstBlock, endBlock),
          blockImpacts: fs.blockImpacts.subarray(firstBlock, endBlock),
        });
      }
    });
    return clauses;
  }

  private fieldScoring(bm25: Bm25Params): FieldScoring[] {
    const key = `${bm25.k1}/${bm25.b}`;
    let scoring = this.scoring.get(key);
    if (scoring === undefined) {
      validateBm25Params(bm25);
      scoring = this.fields.map((field, fi) => ({
        cache: normInverseCache(bm25, avgFieldLength(field.sumTotalTermFreq, field.docCount)),
        maxImpact: new Float32Array(field.terms.length).fill(Number.NaN),
        blockImpacts: new Float32Array((this.postingBlocks[fi] as PostingBlocks).lastDocs.length),
      }));
      this.scoring.set(key, scoring);
    }
    return scoring;
  }

  /** Per field, its posting blocks (built on first use). */
  private get postingBlocks(): PostingBlocks[] {
    this.blocks ??= this.fields.map(postingBlocks);
    return this.blocks;
  }

  /**
   * Computes the block bounds of every term for the index's default BM25 parameters now, rather than
   * term by term in the first queries that use them (one pass over the postings).
   */
  prepareScoring(): void {
    const scoring = this.fieldScoring(this.defaultBm25);
    this.fields.forEach((field, fi) => {
      for (let t = 0; t < field.terms.length; t++) this.maxImpact(field, scoring[fi] as FieldScoring, t);
    });
  }

  private maxImpact(field: FieldIndex, fs: FieldScoring, termId: number): number {
    let x = fs.maxImpact[termId] as number;
    if (Number.isNaN(x)) {
      const blocks = this.postingBlocks[this.fields.indexOf(field)] as PostingBlocks;
      x = fillBlockImpacts(field, blocks, fs.cache, fs.blockImpacts, termId);
      fs.maxImpact[termId] = x;
    }
    return x;
  }
}

/** Rank of each id in code point order (ids are unique). */
function rankIds(ids: readonly string[]): Int32Array {
  const order = Int32Array.from(ids.keys());
  order.sort((a, b) => compareCodePoints(ids[a] as string, ids[b] as string));
  const ranks = new Int32Array(ids.length);
  order.forEach((doc, rank) => (ranks[doc] = rank));
  return ranks;
}
