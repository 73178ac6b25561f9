/**
 * JSON form of an Evaluation: plain objects in a stable order (measures as requested, queries in trec_eval's
 * order), raw doubles (JSON.stringify prints the shortest string that reads back to the same double).
 */
import type { Evaluation } from "../metrics/evaluate.js";

export interface EvaluationJson {
  measures: string[];
  options: Evaluation["options"];
  numQueries: number;
  mean: Record<string, number>;
  meanCount: Record<string, number>;
  globalAuc: Record<string, number>;
  perQuery: Record<string, Record<string, number>>;
}

export function toEvaluationJson(
  evaluation: Evaluation,
  options: { perQuery?: boolean } = {},
): EvaluationJson {
  const names = evaluation.measures.map((m) => m.name);
  const pick = (values: Record<string, number>): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const name of names) {
      const v = values[name];
      if (v !== undefined && Number.isFinite(v)) out[name] = v;
    }
    return out;
  };
  const perQuery: Record<string, Record<string, number>> = {};
  if (options.perQuery ?? true) for (const [qid, values] of evaluation.perQuery) perQuery[qid] = pick(values);
  return {
    measures: names,
    options: evaluation.options,
    numQueries: evaluation.numQueries,
    mean: pick(evaluation.mean),
    meanCount: pick(evaluation.meanCount),
    globalAuc: pick(evaluation.globalAuc),
    perQuery,
  };
}

export function formatEvaluationJson(
  evaluation: Evaluation,
  options: { perQuery?: boolean; space?: number } = {},
): string {
  return JSON.stringify(toEvaluationJson(evaluation, options), null, options.space ?? 2) + "\n";
}
