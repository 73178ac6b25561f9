/**
 * Statistics of an assembled training set, written to stats.json: counts, positives per query,
 * the negatives' retriever-rank histogram per source, false negatives filtered by reason, and the
 * batches' make-up. Computed from the records themselves, so they always add up to what was written.
 */
import type { LabelFileStats } from "./label-file.js";
import type { FilterReason } from "./false-negative-filter.js";
import type { BatchRecord, TrainingRecord } from "./training-set-format.js";

export interface AssemblyCounts {
  queries: { split: number; synthetic: number; withoutPositives: number };
  positivesRemovedFromWindows: number;
  falseNegatives: Record<FilterReason, number>;
  teacherPairsScored: number;
  labels?: LabelFileStats | undefined;
  clusters?: { clusters: number; iterations: number } | undefined;
}

export interface TrainingSetStats {
  queries: {
    split: number;
    synthetic: number;
    withoutPositives: number;
    records: number;
    byStage: Record<string, number>;
  };
  positives: { total: number; bySource: Record<string, number>; perQuery: Record<string, number> };
  negatives: {
    total: number;
    bySource: Record<string, number>;
    perQuery: Record<string, number>;
    /** source -> retriever rank -> negatives at that rank */
    rankHistogram: Record<string, Record<string, number>>;
    positivesRemovedFromWindows: number;
  };
  falseNegatives: { filtered: number; byReason: Record<FilterReason, number> };
  teacher: { pairsScored: number; positivesScored: number; negativesScored: number };
  labels?: LabelFileStats;
  batches?: {
    count: number;
    epochs: number;
    items: number;
    sizes: Record<string, number>;
    clusters: number;
    clusterIterations: number;
    /** Batches that had to draw on more than one cluster. */
    multiCluster: number;
  };
}

function bump(into: Record<string, number>, key: string | number, by = 1): void {
  into[String(key)] = (into[String(key)] ?? 0) + by;
}

export function trainingSetStats(
  records: readonly TrainingRecord[],
  counts: AssemblyCounts,
  batches?: readonly BatchRecord[],
): TrainingSetStats {
  const byStage: Record<string, number> = {};
  const posBySource: Record<string, number> = {};
  const posPerQuery: Record<string, number> = {};
  const negBySource: Record<string, number> = {};
  const negPerQuery: Record<string, number> = {};
  const rankHistogram: Record<string, Record<string, number>> = {};
  let positives = 0;
  let negatives = 0;
  let positivesScored = 0;
  let negativesScored = 0;
  for (const r of records) {
    bump(byStage, r.stage);
    bump(posPerQuery, r.positives.length);
    bump(negPerQuery, r.negatives.length);
    for (const p of r.positives) {
      positives++;
      for (const s of p.sources) bump(posBySource, s);
      if (p.teacher !== undefined) positivesScored++;
    }
    for (const n of r.negatives) {
      negatives++;
      bump(negBySource, n.source);
      if (n.source !== "random") bump((rankHistogram[n.source] ??= {}), n.rank);
      if (n.teacher !== undefined) negativesScored++;
    }
  }
  const filtered = Object.values(counts.falseNegatives).reduce((a, b) => a + b, 0);
  const stats: TrainingSetStats = {
    queries: { ...counts.queries, records: records.length, byStage },
    positives: { total: positives, bySource: posBySource, perQuery: posPerQuery },
    negatives: {
      total: negatives,
      bySource: negBySource,
      perQuery: negPerQuery,
      rankHistogram,
      positivesRemovedFromWindows: counts.positivesRemovedFromWindows,
    },
    falseNegatives: { filtered, byReason: counts.falseNegatives },
    teacher: { pairsScored: counts.teacherPairsScored, positivesScored, negativesScored },
  };
  if (counts.labels) stats.labels = counts.labels;
  if (batches) {
    const sizes: Record<string, number> = {};
    for (const b of batches) bump(sizes, b.items.length);
    stats.batches = {
      count: batches.length,
      epochs: new Set(batches.map((b) => b.epoch)).size,
      items: batches.reduce((a, b) => a + b.items.length, 0),
      sizes,
      clusters: counts.clusters?.clusters ?? 0,
      clusterIterations: counts.clusters?.iterations ?? 0,
      multiCluster: batches.filter((b) => b.clusters.length > 1).length,
    };
  }
  return stats;
}
