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
import { compareCodePoints } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";

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

  /** Prepares one query; `docs` undefined or empty gives an empty ranking (trec_eval -c for a missing query). */
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
      // trec_eval 10.0 (and 9.0.5 on) keeps run scores as doubles; 9.0.4 stored C floats and tied scores
      // that are equal only in float32.
      inScores[i] = score;
      const label = judgments.get(docid);
      if (label === undefined) inRels[i] = RELVALUE_NONPOOL;
      else {
        const t = Math.trunc(label);
        inRels[i] = t < 0 ? RELVALUE_UNJUDGED : t;
      }
      i++;
    });
    if (bad !== undefined) {
      throw new InvalidArgumentError(`run score for query "${qid}", document "${bad}" is NaN`, {
        details: { qid, docid: bad },
      });
    }

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

  /**
   * trec_eval's order as indices into the input, or undefined when the input already is in that order (the
   * usual case for run files). Scores are ordered with the native numeric sort (a comparator sort of 1,000
   * documents costs ~10x more): each document then finds its tie group by binary search in the sorted
   * scores, and only tie groups are sorted by docid.
   */
  private sortOrder(n: number): number[] | undefined {
    const ids = this.ids;
    const s = this.inScores;
    let scoresSorted = true;
    let tiesSorted = true;
    for (let i = 1; i < n; i++) {
      const a = s[i - 1] as number;
      const b = s[i] as number;
      if (a < b) {
        scoresSorted = false;
        break;
      }
      if (a === b && tiesSorted && compareCodePoints(ids[i - 1] as string, ids[i] as string) < 0)
        tiesSorted = false;
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
    const byDocidDesc = (x: number, y: number): number =>
      compareCodePoints(ids[y] as string, ids[x] as string);
    let start = 0;
    while (start < n) {
      const score = s[order[start] as number] as number;
      let end = start + 1;
      while (end < n && (s[order[end] as number] as number) === score) end++;
      if (end - start > 1) {
        const group = order.slice(start, end).sort(byDocidDesc);
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

function grow(n: number): number {
  let size = 64;
  while (size < n) size *= 2;
  return size;
}
