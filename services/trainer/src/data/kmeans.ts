/**
 * k-means (Lloyd's algorithm with k-means++ seeding, Arthur & Vassilvitskii 2007) over row-major
 * Float32Array vectors, for TAS-Balanced's query clusters. Hand-written rather than a library so that
 * it runs on the encoder's Float32Array matrices without conversion and draws from Ferret's seeded
 * streams (the same seed gives the same clusters); query sets are small (thousands), so O(n·k·d) per
 * iteration is cheap.
 */
import { InvalidArgumentError } from "@ferret/errors";
import type { Random } from "./random.js";

export interface KMeansResult {
  /** Cluster of each row. */
  assignments: Int32Array;
  centroids: Float32Array;
  iterations: number;
}

export function kMeans(
  vectors: Float32Array,
  dim: number,
  k: number,
  random: Random,
  maxIterations = 25,
): KMeansResult {
  const n = vectors.length / dim;
  if (!Number.isInteger(n) || n === 0) throw new InvalidArgumentError(`k-means needs vectors, got ${n} rows`);
  const clusters = Math.min(k, n);
  const centroids = seedPlusPlus(vectors, dim, n, clusters, random);
  const assignments = new Int32Array(n).fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = nearest(vectors, i, centroids, dim, clusters).index;
      if (assignments[i] !== c) {
        assignments[i] = c;
        changed++;
      }
    }
    if (changed === 0) break;
    const sums = new Float64Array(clusters * dim);
    const counts = new Int32Array(clusters);
    for (let i = 0; i < n; i++) {
      const c = assignments[i]!;
      counts[c]!++;
      for (let d = 0; d < dim; d++) sums[c * dim + d]! += vectors[i * dim + d]!;
    }
    for (let c = 0; c < clusters; c++) {
      // An emptied cluster keeps its centroid; it may win rows back next round.
      if (counts[c] === 0) continue;
      for (let d = 0; d < dim; d++) centroids[c * dim + d] = sums[c * dim + d]! / counts[c]!;
    }
  }
  return { assignments, centroids, iterations };
}

function squaredDistance(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const x = a[ai * dim + d]! - b[bi * dim + d]!;
    s += x * x;
  }
  return s;
}

function nearest(
  vectors: Float32Array,
  row: number,
  centroids: Float32Array,
  dim: number,
  k: number,
): { index: number; distance: number } {
  let index = 0;
  let distance = Infinity;
  for (let c = 0; c < k; c++) {
    const dist = squaredDistance(vectors, row, centroids, c, dim);
    if (dist < distance) {
      distance = dist;
      index = c;
    }
  }
  return { index, distance };
}

/** k-means++: each next centre is a row drawn with probability proportional to its squared distance. */
function seedPlusPlus(
  vectors: Float32Array,
  dim: number,
  n: number,
  k: number,
  random: Random,
): Float32Array {
  const centroids = new Float32Array(k * dim);
  const first = Math.floor(random() * n);
  centroids.set(vectors.subarray(first * dim, (first + 1) * dim), 0);
  const closest = new Float64Array(n).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = squaredDistance(vectors, i, centroids, c - 1, dim);
      if (d < closest[i]!) closest[i] = d;
      total += closest[i]!;
    }
    let pick = n - 1;
    if (total > 0) {
      let target = random() * total;
      for (let i = 0; i < n; i++) {
        target -= closest[i]!;
        if (target < 0) {
          pick = i;
          break;
        }
      }
    } else {
      // Every row coincides with a centre already: any row will do.
      pick = Math.floor(random() * n);
    }
    centroids.set(vectors.subarray(pick * dim, (pick + 1) * dim), c * dim);
  }
  return centroids;
}
