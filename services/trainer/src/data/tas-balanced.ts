/**
 * TAS-Balanced batches (research-methods §4, Hofstätter et al. 2021): the training queries are
 * clustered once (k-means over their embeddings); each batch takes its queries from one random cluster
 * (drawing another only when the cluster runs out), so in-batch negatives are topically hard; each
 * query's (positive, negative) pair is drawn with balanced teacher margins: the margins
 * t(q,p+) - t(q,p-) of its pairs are cut into equal-width bins between their min and max, a non-empty
 * bin is picked uniformly, then a pair in it. Without teacher scores the pair is uniform.
 * Here every query appears once per epoch (clusters are drawn until all are used), and curriculum
 * stages are batched separately, stage 1 first.
 */
import { BiEncoder } from "@ferret/inference";
import { kMeans } from "./kmeans.js";
import { randomInt, seededRandom, shuffled, type Random } from "./random.js";
import type { BatchItem, BatchRecord, TrainingRecord } from "./training-set-format.js";

export interface QueryClusters {
  /** query id -> cluster */
  clusterOf: Map<string, number>;
  clusters: number;
  iterations: number;
}

export async function clusterQueries(
  encoderDir: string,
  queries: readonly { id: string; text: string }[],
  options: { clusters: number; seed: number; iterations: number },
): Promise<QueryClusters> {
  const encoder = await BiEncoder.load(encoderDir);
  try {
    const vectors = await encoder.embedMatrix(
      queries.map((q) => q.text),
      "query",
    );
    const result = kMeans(
      vectors,
      encoder.dimension,
      options.clusters,
      seededRandom(options.seed, "tas-clusters"),
      options.iterations,
    );
    const clusterOf = new Map(queries.map((q, i) => [q.id, result.assignments[i]!]));
    return { clusterOf, clusters: Math.min(options.clusters, queries.length), iterations: result.iterations };
  } finally {
    await encoder.close();
  }
}

/** One (positive, negative) pair of a record with margins balanced over `bins` equal-width bins. */
export function balancedPair(record: TrainingRecord, bins: number, random: Random): BatchItem | undefined {
  const pairs: { positive: string; negative: string; margin: number | undefined }[] = [];
  for (const p of record.positives) {
    for (const n of record.negatives) {
      const margin = p.teacher !== undefined && n.teacher !== undefined ? p.teacher - n.teacher : undefined;
      pairs.push({ positive: p.id, negative: n.id, margin });
    }
  }
  if (pairs.length === 0) return undefined;
  let pool = pairs;
  if (pairs.every((p) => p.margin !== undefined)) {
    const margins = pairs.map((p) => p.margin!);
    const min = Math.min(...margins);
    const width = (Math.max(...margins) - min) / bins;
    const byBin = new Map<number, typeof pairs>();
    for (const p of pairs) {
      const bin = width > 0 ? Math.min(bins - 1, Math.floor((p.margin! - min) / width)) : 0;
      let list = byBin.get(bin);
      if (!list) byBin.set(bin, (list = []));
      list.push(p);
    }
    const filled = [...byBin.keys()].sort((a, b) => a - b);
    pool = byBin.get(filled[randomInt(random, filled.length)]!)!;
  }
  const chosen = pool[randomInt(random, pool.length)]!;
  return { qid: record.qid, positive: chosen.positive, negative: chosen.negative };
}

export interface TasBatchOptions {
  batchSize: number;
  epochs: number;
  bins: number;
  seed: number;
}

export function planTasBalancedBatches(
  records: readonly TrainingRecord[],
  clusterOf: ReadonlyMap<string, number>,
  options: TasBatchOptions,
): BatchRecord[] {
  const batches: BatchRecord[] = [];
  const stages = [...new Set(records.map((r) => r.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    const pairable = records.filter((r) => r.stage === stage && r.positives.length && r.negatives.length);
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const random = seededRandom(options.seed, "tas-batches", stage, epoch);
      const members = new Map<number, TrainingRecord[]>();
      for (const r of pairable) {
        const c = clusterOf.get(r.qid) ?? 0;
        let list = members.get(c);
        if (!list) members.set(c, (list = []));
        list.push(r);
      }
      const remaining = new Map(
        [...members.entries()].sort((a, b) => a[0] - b[0]).map(([c, rs]) => [c, shuffled(rs, random)]),
      );
      let batch = 0;
      while (remaining.size > 0) {
        const items: BatchItem[] = [];
        const clusters: number[] = [];
        while (items.length < options.batchSize && remaining.size > 0) {
          const open = [...remaining.keys()];
          const cluster = open[randomInt(random, open.length)]!;
          const queue = remaining.get(cluster)!;
          clusters.push(cluster);
          while (items.length < options.batchSize && queue.length > 0) {
            const item = balancedPair(queue.shift()!, options.bins, random);
            if (item) items.push(item);
          }
          if (queue.length === 0) remaining.delete(cluster);
        }
        batches.push({ epoch, batch: batch++, stage, clusters, items });
      }
    }
  }
  return batches;
}
