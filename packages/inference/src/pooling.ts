/**
 * Pooling of token states into one vector per sequence, as sentence-transformers' Pooling module:
 * cls (first token), mean (sum of unmasked token states / number of unmasked tokens) and
 * last-token (the last unmasked token; with right padding that is position sum(mask) - 1).
 */
import type { Pooling } from "./model-config.js";

/**
 * hidden: [batch, seq, dim] row-major; mask: [batch, seq] (1 = real token).
 * Returns [batch, dim] row-major. Accumulates in float64 so long sequences lose no precision.
 */
export function pool(
  hidden: Float32Array,
  mask: BigInt64Array,
  batch: number,
  seq: number,
  dim: number,
  pooling: Pooling,
): Float32Array {
  const out = new Float32Array(batch * dim);
  const acc = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    const rowBase = b * seq;
    let count = 0;
    for (let t = 0; t < seq; t++) if (mask[rowBase + t] !== 0n) count++;
    if (pooling === "cls" || pooling === "last-token") {
      const t = pooling === "cls" ? 0 : Math.max(0, count - 1);
      out.set(hidden.subarray((rowBase + t) * dim, (rowBase + t + 1) * dim), b * dim);
      continue;
    }
    acc.fill(0);
    for (let t = 0; t < seq; t++) {
      if (mask[rowBase + t] === 0n) continue;
      const off = (rowBase + t) * dim;
      for (let d = 0; d < dim; d++) acc[d]! += hidden[off + d]!;
    }
    // sentence-transformers clamps the count at 1e-9; a sequence always has >= 1 special token
    const denom = Math.max(count, 1e-9);
    for (let d = 0; d < dim; d++) out[b * dim + d] = acc[d]! / denom;
  }
  return out;
}

/** In-place L2 normalization of each row of a [rows, dim] matrix (zero rows stay zero, as torch's eps does). */
export function l2NormalizeRows(matrix: Float32Array, dim: number): Float32Array {
  for (let off = 0; off < matrix.length; off += dim) {
    let sq = 0;
    for (let d = 0; d < dim; d++) sq += matrix[off + d]! * matrix[off + d]!;
    const norm = Math.max(Math.sqrt(sq), 1e-12);
    for (let d = 0; d < dim; d++) matrix[off + d]! /= norm;
  }
  return matrix;
}
