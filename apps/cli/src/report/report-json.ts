/**
 * report.json: everything report.html shows, so `ferret report <run-dir>` can re-render the page without
 * rerunning anything. Validated with zod when read back (a hand-edited or truncated file fails naming the
 * key and line).
 */
import { z } from "zod";

export const REPORT_JSON = "report.json";
export const REPORT_HTML = "report.html";

const num = z.number();
/** qid -> measure -> value. */
const perQuery = z.record(z.string(), z.record(z.string(), num));

const system = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  perQuery,
  mean: z.record(z.string(), num),
});

const cell = z.strictObject({
  mean: num,
  delta: num,
  wins: z.int(),
  ties: z.int(),
  losses: z.int(),
  pValue: num.nullable(),
  adjustedPValue: num.nullable(),
  significant: z.boolean(),
  marker: z.string(),
});

/** The evaluator's comparison table (comparisonToJson): paired test, Holm over the non-baseline systems. */
const comparison = z.strictObject({
  baseline: z.string(),
  measures: z.array(z.string()),
  test: z.string(),
  alpha: num,
  correction: z.string(),
  queries: z.int(),
  legend: z.string(),
  systems: z.array(
    z.strictObject({ name: z.string(), isBaseline: z.boolean(), measures: z.record(z.string(), cell) }),
  ),
});

const deltas = z.strictObject({
  system: z.string(),
  measure: z.string(),
  /** treatment − baseline per query, largest gain first. */
  perQuery: z.array(z.strictObject({ qid: z.string(), delta: num })),
});

const point = z.strictObject({ x: num, y: num });

const recallCurve = z.strictObject({
  system: z.string(),
  /** x: cut-off k, y: mean recall@k. */
  points: z.array(point),
});

const roc = z.strictObject({
  system: z.string(),
  /** Mann–Whitney AUC of relevant vs non-relevant retrieved documents' scores, pooled over queries. */
  auc: num,
  positives: z.int(),
  negatives: z.int(),
  /** x: false-positive rate, y: true-positive rate. */
  points: z.array(point),
});

const training = z.strictObject({
  /** x: step, y: training loss. */
  loss: z.array(point),
  /** measure -> points (x: step, y: value) from the engine's eval events. */
  eval: z.record(z.string(), z.array(point)).default({}),
});

const labels = z.strictObject({
  count: z.int(),
  /** grade -> labels with that grade. */
  grades: z.record(z.string(), z.int()),
  /** Cohen's κ against human qrels on the pairs both judged (null: no human qrels). */
  kappa: num.nullable(),
  pairs: z.int(),
  costUsd: num.nullable(),
  tokens: z.strictObject({ prompt: z.int(), completion: z.int() }).nullable(),
});

export const reportJsonSchema = z.strictObject({
  version: z.literal(1),
  title: z.string(),
  createdAt: z.string(),
  dataset: z.strictObject({ name: z.string(), split: z.string(), queries: z.int() }),
  systems: z.array(system).min(1),
  comparison,
  deltas: z.array(deltas),
  recallCurves: z.array(recallCurve),
  roc: roc.nullable(),
  training: training.nullable(),
  labels: labels.nullable(),
  /** The exact spec or settings the run used, as given. */
  config: z.unknown(),
  /** Component -> version (Ferret, Node, models, datasets). */
  versions: z.record(z.string(), z.string()),
});

export type ReportJson = z.infer<typeof reportJsonSchema>;
export type ReportPoint = z.infer<typeof point>;
export type ReportLabels = z.infer<typeof labels>;
export type ReportTraining = z.infer<typeof training>;
