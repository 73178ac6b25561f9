/**
 * Builds report.json from systems' runs and the test qrels, with the evaluator's own code: trec_eval-exact
 * per-query metrics (evaluate, -c semantics so every system has a value for every test query), the
 * comparison table (compareSystems: paired test against the baseline, Holm-adjusted over the other systems,
 * per-query win/tie/loss), and the pooled AUC. Label agreement is the annotator's agreementReport.
 */
import type { Qrels, Run } from "@ferret/datasets";
import { agreementReport } from "@ferret/annotator";
import { compareSystems, comparisonToJson, evaluate, type SignificanceTest } from "@ferret/evaluator";
import type { EngineEvent } from "@ferret/trainer";
import { rocCurve } from "./roc-curve.js";
import type { ReportJson, ReportLabels, ReportTraining } from "./report-json.js";

export interface ReportSystem {
  name: string;
  description?: string;
  run: Run;
}

export interface LabelUsage {
  costUsd?: number;
  promptTokens?: number;
  completionTokens?: number;
}

export interface BuildReportOptions {
  title: string;
  dataset: { name: string; split: string };
  /** The first is the baseline. */
  systems: readonly ReportSystem[];
  qrels: Qrels;
  measures: readonly string[];
  recallCutoffs?: readonly number[];
  test?: SignificanceTest;
  alpha?: number;
  /** The system whose scores the ROC curve diagnoses (the trained model). */
  rocSystem?: string;
  training?: readonly EngineEvent[];
  labels?: { llm: Qrels; human?: Qrels; usage?: LabelUsage };
  config: unknown;
  versions: Record<string, string>;
  createdAt?: Date;
}

export const DEFAULT_RECALL_CUTOFFS = [1, 3, 5, 10, 20, 50, 100] as const;

export function trainingCurves(events: readonly EngineEvent[]): ReportTraining {
  const loss = events
    .filter((e) => e.event === "step" && typeof e.step === "number" && typeof e.loss === "number")
    .map((e) => ({ x: e.step as number, y: e.loss as number }));
  const evalPoints: Record<string, { x: number; y: number }[]> = {};
  for (const e of events) {
    if (e.event !== "eval" || typeof e.step !== "number") continue;
    for (const [key, value] of Object.entries(e)) {
      if (["event", "time", "step", "queries"].includes(key) || typeof value !== "number") continue;
      (evalPoints[key] ??= []).push({ x: e.step, y: value });
    }
  }
  return { loss, eval: evalPoints };
}

export function labelStats(llm: Qrels, human: Qrels | undefined, usage: LabelUsage = {}): ReportLabels {
  const grades: Record<string, number> = {};
  let count = 0;
  for (const docs of llm.values())
    for (const grade of docs.values()) {
      grades[String(grade)] = (grades[String(grade)] ?? 0) + 1;
      count++;
    }
  const agreement = human ? agreementReport(human, llm) : undefined;
  const tokens =
    usage.promptTokens === undefined && usage.completionTokens === undefined
      ? null
      : { prompt: usage.promptTokens ?? 0, completion: usage.completionTokens ?? 0 };
  return {
    count,
    grades,
    kappa: agreement && agreement.pairs > 0 && Number.isFinite(agreement.kappa) ? agreement.kappa : null,
    pairs: agreement?.pairs ?? 0,
    costUsd: usage.costUsd ?? null,
    tokens,
  };
}

export function buildReport(options: BuildReportOptions): ReportJson {
  const cutoffs = [...(options.recallCutoffs ?? DEFAULT_RECALL_CUTOFFS)];
  const curveMeasures = cutoffs.map((k) => `recall_${k}`);
  const measures = [...options.measures];
  const all = [...new Set([...measures, ...curveMeasures])];
  const evaluations = options.systems.map((s) =>
    evaluate(s.run, options.qrels, all, { completeQueries: true }),
  );
  const perQueryOf = (i: number) =>
    new Map(
      [...evaluations[i]!.perQuery].map(([qid, values]) => [
        qid,
        Object.fromEntries(measures.map((m) => [m, values[m] ?? 0])),
      ]),
    );
  const table = compareSystems(
    options.systems.map((s, i) => ({ name: s.name, perQuery: perQueryOf(i) })),
    { measures, test: options.test ?? "t-test", alpha: options.alpha ?? 0.05, correction: "holm" },
  );
  const primary = measures[0]!;
  const base = perQueryOf(0);
  const deltas = options.systems.slice(1).map((s, j) => {
    const mine = perQueryOf(j + 1);
    const perQuery = [...base.keys()]
      .map((qid) => ({ qid, delta: (mine.get(qid)?.[primary] ?? 0) - (base.get(qid)?.[primary] ?? 0) }))
      .sort((a, b) => b.delta - a.delta || (a.qid < b.qid ? -1 : 1));
    return { system: s.name, measure: primary, perQuery };
  });
  const rocName = options.rocSystem ?? options.systems[options.systems.length - 1]!.name;
  const rocRun = options.systems.find((s) => s.name === rocName)?.run;
  const roc = rocRun ? { system: rocName, ...rocCurve(rocRun, options.qrels) } : null;

  return {
    version: 1,
    title: options.title,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    dataset: { ...options.dataset, queries: table.queries },
    systems: options.systems.map((s, i) => ({
      name: s.name,
      ...(s.description === undefined ? {} : { description: s.description }),
      perQuery: Object.fromEntries(perQueryOf(i)),
      mean: Object.fromEntries(all.map((m) => [m, evaluations[i]!.mean[m] ?? 0])),
    })),
    comparison: comparisonToJson(table),
    deltas,
    recallCurves: options.systems.map((s, i) => ({
      system: s.name,
      points: cutoffs.map((k) => ({ x: k, y: evaluations[i]!.mean[`recall_${k}`] ?? 0 })),
    })),
    roc: roc && Number.isFinite(roc.auc) ? roc : null,
    training: options.training && options.training.length > 0 ? trainingCurves(options.training) : null,
    labels: options.labels
      ? labelStats(options.labels.llm, options.labels.human, options.labels.usage)
      : null,
    config: options.config,
    versions: options.versions,
  };
}
