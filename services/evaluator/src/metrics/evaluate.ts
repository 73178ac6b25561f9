/**
 * Evaluates a run against qrels with trec_eval 10.0's semantics for every requested measure.
 *
 * - Queries: those in the qrels (with at least one judgment) that the run answers; queries only in the run
 *   are ignored. With `completeQueries` (trec_eval -c) every qrels query is evaluated and printed, a query
 *   the run lacks as trec_eval 10.0 does: on its placeholder ranking, one unjudged document with score 1
 *   (every measure 0, unless -l is 0 or less, when that document counts as relevant); the mean divides by
 *   the number of qrels queries. Placeholder rankings add nothing to the pooled AUC. Without -c, trec_eval
 *   10.0 exits when a qrels query is missing from the run; we evaluate the answered queries, as trec_eval 9
 *   did. Queries in the qrels without a relevant document are evaluated and averaged like any other.
 * - Means: per-query values summed in qid order (strcmp), divided by the number of queries; auc measures
 *   average over the queries where they are defined (meanCount says how many).
 * - Every query's ranking is prepared once (sorted, labelled) and all measures read the prepared arrays.
 * Throws InvalidArgumentError when no query has both results and judgments (trec_eval exits there too).
 */
import { compareCodePoints, type Qrels, type Run, type TrecRunColumns } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import { AucPool } from "./auc.js";
import { JudgmentIndex } from "./judgment-index.js";
import { RankingPreparer, type PrepareOptions, type PreparedQuery } from "./ranking.js";
import { measureFunction, parseMeasures, type MeasureSpec } from "./registry.js";

/** trec_eval 10.0's ranking for a qrels query the run lacks, under -c (trec_eval.c: bogus_result). */
const PLACEHOLDER: ReadonlyMap<string, number> = new Map([["ceci_nest_pas_un_docno", 1]]);

export interface EvaluateOptions extends PrepareOptions {
  /** trec_eval -c: average over every qrels query; a query missing from the run scores 0. */
  completeQueries?: boolean;
}

export interface Evaluation {
  /** The measures, in the order requested. */
  readonly measures: readonly MeasureSpec[];
  /** qid -> measure name -> value, qids in trec_eval's (strcmp) order. auc is absent where undefined. */
  readonly perQuery: Map<string, Record<string, number>>;
  /** measure name -> mean; an auc measure is absent when no query defines it. */
  readonly mean: Record<string, number>;
  /** How many queries each mean averages over. */
  readonly meanCount: Record<string, number>;
  /** Queries averaged over (trec_eval's num_q). */
  readonly numQueries: number;
  /** For each auc measure: the AUC of all evaluated queries' scores pooled (research-methods §2). */
  readonly globalAuc: Record<string, number>;
  readonly options: Readonly<
    Required<Pick<EvaluateOptions, "relevanceThreshold" | "judgedOnly" | "completeQueries">>
  > & {
    readonly maxDocsPerQuery?: number;
  };
}

export type MeasureInput = string | readonly string[] | readonly MeasureSpec[];

/**
 * `run` is a qid -> docid -> score Map or, read straight from a file's bytes, a TrecRunColumns (the fast path
 * of `ferret eval`: no string per document); both give the same evaluation.
 */
export function evaluate(
  run: Run | TrecRunColumns,
  qrels: Qrels,
  measures: MeasureInput,
  options: EvaluateOptions = {},
): Evaluation {
  const specs = toSpecs(measures);
  const preparer = new RankingPreparer(options);
  const complete = options.completeQueries ?? false;
  const fns = specs.map((s) => measureFunction(s));
  const isAuc = specs.map((s) => s.family === "auc");
  const pools = specs.map((s) => (s.family === "auc" ? new AucPool(s.cutoff) : undefined));
  const sums = new Float64Array(specs.length);
  const counts = new Float64Array(specs.length);

  const qids: string[] = [];
  for (const [qid, judgments] of qrels) if (judgments.size > 0) qids.push(qid);
  qids.sort(compareCodePoints);

  const columns = run instanceof Map ? undefined : run;
  const queryIndex =
    columns === undefined ? undefined : new Map(columns.qids.map((qid, i) => [qid, i] as const));
  const judged = new JudgmentIndex();
  const perQuery = new Map<string, Record<string, number>>();
  for (const qid of qids) {
    const judgments = qrels.get(qid) as Map<string, number>;
    let q: PreparedQuery;
    if (columns === undefined) {
      const docs = (run as Run).get(qid);
      const answered = docs !== undefined && docs.size > 0;
      if (!answered && !complete) continue;
      q = preparer.prepare(qid, answered ? docs : PLACEHOLDER, judgments);
      if (answered) for (const pool of pools) pool?.add(q);
    } else {
      const i = queryIndex?.get(qid);
      const answered =
        i !== undefined && (columns.queryStart[i + 1] as number) > (columns.queryStart[i] as number);
      if (!answered && !complete) continue;
      if (answered) {
        judged.reset(judgments);
        q = preparer.prepareColumns(qid, columns, i, judgments, judged);
        for (const pool of pools) pool?.add(q);
      } else q = preparer.prepare(qid, PLACEHOLDER, judgments);
    }
    const values: Record<string, number> = {};
    for (let m = 0; m < specs.length; m++) {
      const v = (fns[m] as (prepared: PreparedQuery) => number)(q);
      if (Number.isNaN(v)) continue; // auc without positives or negatives
      values[(specs[m] as MeasureSpec).name] = v;
      sums[m] = (sums[m] as number) + v;
      counts[m] = (counts[m] as number) + 1;
    }
    perQuery.set(qid, values);
  }

  const numQueries = perQuery.size;
  if (numQueries === 0) {
    throw new InvalidArgumentError(
      `no queries with both results and relevance judgments (run: ${columns?.qids.length ?? (run as Run).size} queries, qrels: ${qids.length})`,
    );
  }
  const mean: Record<string, number> = {};
  const meanCount: Record<string, number> = {};
  const globalAuc: Record<string, number> = {};
  for (let m = 0; m < specs.length; m++) {
    const name = (specs[m] as MeasureSpec).name;
    const count = isAuc[m] ? (counts[m] as number) : numQueries;
    meanCount[name] = count;
    if (count > 0) mean[name] = (sums[m] as number) / count;
    const pool = pools[m];
    if (pool !== undefined) {
      const g = pool.auc();
      if (!Number.isNaN(g)) globalAuc[name] = g;
    }
  }
  const resolved = {
    relevanceThreshold: options.relevanceThreshold ?? 1,
    judgedOnly: options.judgedOnly ?? false,
    completeQueries: complete,
    ...(options.maxDocsPerQuery === undefined ? {} : { maxDocsPerQuery: options.maxDocsPerQuery }),
  };
  return { measures: specs, perQuery, mean, meanCount, numQueries, globalAuc, options: resolved };
}

function toSpecs(measures: MeasureInput): MeasureSpec[] {
  if (typeof measures === "string") return parseMeasures(measures);
  if (measures.length > 0 && typeof measures[0] !== "string")
    return [...(measures as readonly MeasureSpec[])];
  return parseMeasures(measures as readonly string[]);
}
