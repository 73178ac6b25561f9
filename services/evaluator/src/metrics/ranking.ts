/**
 * Per-query preparation shared by every ranking measure, done once per query: the run's documents
 * sorted the way trec_eval ranks them and the relevance label of each ranked document.
 *
 * trec_eval 10.0 semantics (form_res_rels.c, get_qrels.c, trec_eval.c):
 * - scores are doubles (as parsed from the run);
 * - order: score descending, ties broken by `strcmp(docno2, docno1)`, i.e. document ids in DESCENDING byte
 *   order (UTF-8 byte order = code point order, see compareCodePoints);
 * - `-M n` keeps the first n documents of that order; `-J` then drops every document that is not judged
 *   (absent from the qrels, or judged with a negative label), keeping the order;
 * - a ranked document's label is its qrels label truncated to an integer (trec_eval reads labels with
 *   atol), NONPOOL (-1) when the qrels lack it, UNJUDGED (-2) when its label is negative ("in the pool but
 *   unjudged": trec_eval counts negative labels neither as relevant nor as judged non-relevant);
 * - relevant means label >= the relevance threshold (`-l`, default 1; with -l 0 or less an unjudged
 *   document's -1 or -2 can pass it, as in trec_eval); numRel counts the query's qrels documents with a
 *   label >= 0 at or above it, retrieved or not.
 *
 * The preparer reuses its buffers across queries (no per-document allocation in the hot loop); a
 * PreparedQuery is a view that the next prepare() call overwrites.
 */
import { compareByteRanges, compareCodePoints, type TrecRunColumns } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import type { JudgmentIndex } from "./judgment-index.js";

export const RELVALUE_NONPOOL = -1;
export const RELVALUE_UNJUDGED = -2;

export interface PreparedQuery {
  readonly qid: string;
  /** Documents in the evaluated ranking (after -M and -J). */
  readonly numRet: number;
  /** Label per rank, [0, numRet): a label >= 0, RELVALUE_NONPOOL or RELVALUE_UNJUDGED. */
  readonly rels: Int32Array;
  /** Score per rank, [0, numRet): non-increasing. */
  readonly scores: Float64Array;
  /** Judged documents (retrieved or not) with label >= threshold. */
  readonly numRel: number;
  /** Judged documents (retrieved or not) with 0 <= label < threshold. */
  readonly numNonrelJudged: number;
  /** Positive labels of all judged documents, in descending order: the ideal ranking's gains. */
  readonly idealGains: Int32Array;
  readonly threshold: number;
}

export interface PrepareOptions {
  /** trec_eval -l: minimum label that counts as relevant (an integer). Default 1. */
  relevanceThreshold?: number;
  /** trec_eval -J: evaluate only judged documents. */
  judgedOnly?: boolean;
  /** trec_eval -M: evaluate only the first n ranked documents. */
  maxDocsPerQuery?: number;
}

const EMPTY_DOCS: ReadonlyMap<string, number> = new Map();

class PreparedView implements PreparedQuery {
  qid = "";
  numRet = 0;
  rels = new Int32Array(0);
  scores = new Float64Array(0);
  numRel = 0;
  numNonrelJudged = 0;
  idealGains = new Int32Array(0);
  threshold = 1;
}

export class RankingPreparer {
  private readonly threshold: number;
  private readonly judgedOnly: boolean;
  private readonly maxDocs: number;
  private readonly view = new PreparedView();
  // Scratch space, grown on demand and reused for every query.
  private ids: string[] = [];
  private inScores = new Float64Array(64);
  /** The current query's input scores: inScores, or a view of a columnar run's scores. */
  private scoresIn: Float64Array = this.inScores;
  private tieOrder: (x: number, y: number) => number = () => 0;
  private columns: TrecRunColumns | undefined;
  private columnsStart = 0;
  private inRels = new Int32Array(64);
  private order: number[] = [];
  private keys = new Float64Array(64);
  private fill = new Int32Array(64);
  private rels = new Int32Array(64);
  private scores = new Float64Array(64);
  private gains = new Int32Array(64);

  constructor(options: PrepareOptions = {}) {
    const threshold = options.relevanceThreshold ?? 1;
    if (!Number.isInteger(threshold)) {
      throw new InvalidArgumentError(
        `relevanceThreshold must be an integer (trec_eval -l), got ${threshold}`,
        {
          details: { field: "relevanceThreshold" },
        },
      );
    }
    const maxDocs = options.maxDocsPerQuery ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isInteger(maxDocs) || maxDocs < 1) {
      throw new InvalidArgumentError(
        `maxDocsPerQuery must be a positive integer (trec_eval -M), got ${maxDocs}`,
        {
          details: { field: "maxDocsPerQuery" },
        },
      );
    }
    this.threshold = threshold;
    this.judgedOnly = options.judgedOnly ?? false;
    this.maxDocs = maxDocs;
    this.view.threshold = threshold;
  }

  /** Prepares one query; `docs` undefined or empty gives an empty ranking. */
  prepare(
    qid: string,
    docs: ReadonlyMap<string, number> | undefined,
    judgments: ReadonlyMap<string, number>,
  ): PreparedQuery {
    const run = docs ?? EMPTY_DOCS;
    const n = run.size;
    this.reserve(n);
    const ids = this.ids;
    const inScores = this.inScores;
    const inRels = this.inRels;
    let i = 0;
    let bad: string | undefined;
    run.forEach((score, docid) => {
      if (Number.isNaN(score)) bad ??= docid;
      ids[i] = docid;
      // trec_eval 10.0 (and 9.0.8) keeps run scores as doubles; 9.0.7 and earlier stored C floats and tied scores
      // that are equal only in float32.
      inScores[i] = score;
      inRels[i] = relValue(judgments.get(docid));
      i++;
    });
    if (bad !== undefined) {
      throw new InvalidArgumentError(`run score for query "${qid}", document "${bad}" is NaN`, {
        details: { qid, docid: bad },
      });
    }
    this.scoresIn = inScores;
    this.tieOrder = this.idsDescending;
    return this.finish(qid, n, judgments);
  }

  /**
   * Prepares query `q` of a columnar run (parsed from bytes: docids are byte ranges, scores are never NaN),
   * looking its documents up in `judged` (this query's qrels, indexed by docid bytes).
   */
  prepareColumns(
    qid: string,
    run: TrecRunColumns,
    q: number,
    judgments: ReadonlyMap<string, number>,
    judged: JudgmentIndex,
  ): PreparedQuery {
    const s = run.queryStart[q] as number;
    const n = (run.queryStart[q + 1] as number) - s;
    this.reserve(n);
    const inRels = this.inRels;
    const { bytes, docStart, docEnd, docHash } = run;
    for (let i = 0; i < n; i++) {
      const k = s + i;
      inRels[i] = relValue(
        judged.lookup(bytes, docStart[k] as number, docEnd[k] as number, docHash[k] as number),
      );
    }
    this.scoresIn = run.scores.subarray(s, s + n);
    this.columns = run;
    this.columnsStart = s;
    this.tieOrder = this.bytesDescending;
    return this.finish(qid, n, judgments);
  }

  private finish(qid: string, n: number, judgments: ReadonlyMap<string, number>): PreparedQuery {
    const inScores = this.scoresIn;
    const inRels = this.inRels;
    const order = this.sortOrder(n);
    const limit = Math.min(n, this.maxDocs);
    const rels = this.rels;
    const scores = this.scores;
    let numRet = 0;
    for (let r = 0; r < limit; r++) {
      const k = order === undefined ? r : (order[r] as number);
      const rel = inRels[k] as number;
      if (this.judgedOnly && rel < 0) continue;
      rels[numRet] = rel;
      scores[numRet] = inScores[k] as number;
      numRet++;
    }

    let numRel = 0;
    let numNonrel = 0;
    let numGains = 0;
    if (this.gains.length < judgments.size) this.gains = new Int32Array(grow(judgments.size));
    const gains = this.gains;
    const threshold = this.threshold;
    judgments.forEach((label) => {
      const t = Math.trunc(label);
      // trec_eval counts only labels >= 0 (its rel_levels), also when -l is 0 or negative.
      if (t < 0) return;
      if (t >= threshold) numRel++;
      else numNonrel++;
      if (t > 0) gains[numGains++] = t;
    });
    const ideal = gains.subarray(0, numGains).sort().reverse();

    const v = this.view;
    v.qid = qid;
    v.numRet = numRet;
    v.rels = rels;
    v.scores = scores;
    v.numRel = numRel;
    v.numNonrelJudged = numNonrel;
    v.idealGains = ideal;
    return v;
  }

  /** Tie order of the Map path: docids in descending code point (= strcmp on UTF-8) order. */
  private readonly idsDescending = (x: number, y: number): number =>
    compareCodePoints(this.ids[y] as string, this.ids[x] as string);

  /** Tie order of the columnar path: docid bytes in descending strcmp order. */
  private readonly bytesDescending = (x: number, y: number): number => {
    const run = this.columns as TrecRunColumns;
    const a = this.columnsStart + x;
    const b = this.columnsStart + y;
    return compareByteRanges(
      run.bytes,
      run.docStart[b] as number,
      run.docEnd[b] as number,
      run.docStart[a] as number,
      run.docEnd[a] as number,
    );
  };

  /**
   * trec_eval's order as indices into the input, or undefined when the input already is in that order (the
   * usual case for run files). Scores are ordered with the native numeric sort (a comparator sort of 1,000
   * documents costs ~10x more): each document then finds its tie group by binary search in the sorted
   * scores, and only tie groups are sorted by docid.
   */
  private sortOrder(n: number): number[] | undefined {
    const s = this.scoresIn;
    const tieOrder = this.tieOrder;
    let scoresSorted = true;
    let tiesSorted = true;
    for (let i = 1; i < n; i++) {
      const a = s[i - 1] as number;
      const b = s[i] as number;
      if (a < b) {
        scoresSorted = false;
        break;
      }
      if (a === b && tiesSorted && tieOrder(i - 1, i) > 0) tiesSorted = false;
    }
    if (scoresSorted && tiesSorted) return undefined;
    const order = this.order;
    order.length = n;
    if (scoresSorted) {
      for (let i = 0; i < n; i++) order[i] = i;
    } else {
      const keys = this.keys.subarray(0, n);
      for (let i = 0; i < n; i++) keys[i] = -(s[i] as number);
      keys.sort(); // ascending -score = descending score; -0 and 0 compare equal below, as in trec_eval
      const fill = this.fill;
      fill.fill(0, 0, n);
      for (let i = 0; i < n; i++) {
        const x = -(s[i] as number);
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if ((keys[mid] as number) < x) lo = mid + 1;
          else hi = mid;
        }
        order[lo + (fill[lo] as number)++] = i;
      }
    }
    // Ties: docids in descending strcmp order.
    let start = 0;
    while (start < n) {
      const score = s[order[start] as number] as number;
      let end = start + 1;
      while (end < n && (s[order[end] as number] as number) === score) end++;
      if (end - start > 1) {
        const group = order.slice(start, end).sort(tieOrder);
        for (let k = 0; k < group.length; k++) order[start + k] = group[k] as number;
      }
      start = end;
    }
    return order;
  }

  private reserve(n: number): void {
    if (this.inScores.length >= n) return;
    const size = grow(n);
    this.inScores = new Float64Array(size);
    this.inRels = new Int32Array(size);
    this.keys = new Float64Array(size);
    this.fill = new Int32Array(size);
    this.rels = new Int32Array(size);
    this.scores = new Float64Array(size);
  }
}

/** trec_eval's relevance value of a ranked document from its qrels label (undefined: not in the qrels). */
function relValue(label: number | undefined): number {
  if (label === undefined) return RELVALUE_NONPOOL;
  const t = Math.trunc(label);
  return t < 0 ? RELVALUE_UNJUDGED : t;
}

function grow(n: number): number {
  let size = 64;
  while (size < n) size *= 2;
  return size;
}
