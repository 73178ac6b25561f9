/**
 * Cuts a job's pairs into work-queue batches: at most `batchSize` pairs and at most `maxBytes` of JSON per
 * message (the bus refuses payloads over 1 MiB less 8 KiB), in submission order.
 */
import { InputError } from "@ferret/errors";
import type { ScorePairTuple } from "./score-job-record.js";

/** Leaves room for the message's other fields under the bus's payload limit. */
export const DEFAULT_MAX_BATCH_BYTES = 768 * 1024;
export const DEFAULT_SCORE_BATCH_SIZE = 256;

/** [start, end) ranges of `pairs`. */
export function planScoreBatches(
  pairs: readonly ScorePairTuple[],
  batchSize: number,
  maxBytes: number = DEFAULT_MAX_BATCH_BYTES,
): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  const encoder = new TextEncoder();
  pairs.forEach((pair, i) => {
    const size = encoder.encode(JSON.stringify(pair)).length + 1;
    if (size > maxBytes) {
      throw new InputError(
        { file: "<score job>", field: `pairs[${i}]` },
        `pair (${pair[0]}, ${pair[1]}) is ${size} bytes of JSON, more than a batch may carry (${maxBytes})`,
      );
    }
    if (i > start && (i - start >= batchSize || bytes + size > maxBytes)) {
      ranges.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += size;
  });
  if (start < pairs.length) ranges.push([start, pairs.length]);
  return ranges;
}
