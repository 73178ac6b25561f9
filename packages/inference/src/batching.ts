/**
 * Length-grouped batching with dynamic padding: texts are sorted by token count and cut into
 * batches, each padded only to its own longest member, so short texts don't pay for long ones.
 */
import type { EncodedText } from "./tokenizer.js";

export interface BatchLimits {
  /** Most sequences in one batch. */
  maxBatchSize: number;
  /** Most padded tokens (batch size x longest length) in one batch; bounds activation memory. */
  maxBatchTokens: number;
}

/** Indices into `lengths`, grouped into batches of similar length (longest first). */
export function planBatches(lengths: readonly number[], limits: BatchLimits): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    const len = lengths[i]!;
    const width = Math.max(longest, len);
    if (
      current.length > 0 &&
      (current.length >= limits.maxBatchSize || width * (current.length + 1) > limits.maxBatchTokens)
    ) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(i);
    longest = Math.max(longest, len);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface PaddedBatch {
  /** Which inputs (indices into the encoded list) the rows are, in row order. */
  indices: number[];
  batchSize: number;
  seqLength: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
}

/** Right-pads the chosen encodings to the longest among them (int64, as BERT-style ONNX graphs take). */
export function padBatch(
  encoded: readonly EncodedText[],
  indices: readonly number[],
  padId: number,
): PaddedBatch {
  const seqLength = Math.max(1, ...indices.map((i) => encoded[i]!.ids.length));
  const n = indices.length;
  const inputIds = new BigInt64Array(n * seqLength).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(n * seqLength);
  const tokenTypeIds = new BigInt64Array(n * seqLength);
  indices.forEach((index, row) => {
    const e = encoded[index]!;
    const base = row * seqLength;
    for (let t = 0; t < e.ids.length; t++) {
      inputIds[base + t] = BigInt(e.ids[t]!);
      attentionMask[base + t] = 1n;
      tokenTypeIds[base + t] = BigInt(e.typeIds[t] ?? 0);
    }
  });
  return { indices: [...indices], batchSize: n, seqLength, inputIds, attentionMask, tokenTypeIds };
}
