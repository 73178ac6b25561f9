import { newStats } from "./line-issues.js";
import type { ReadStats, RecordStream } from "./types.js";

/** Wraps a generator factory so each iteration re-reads the file and `stats` reflects the latest pass. */
export function recordStream<T>(produce: (stats: ReadStats) => AsyncGenerator<T>): RecordStream<T> {
  let stats = newStats();
  return {
    get stats() {
      return stats;
    },
    [Symbol.asyncIterator]() {
      stats = newStats();
      return produce(stats);
    },
  };
}

/** A stream of `f` applied to each record of `source`, sharing its stats. */
export function mapRecords<A, B>(source: RecordStream<A>, f: (a: A) => B): RecordStream<B> {
  return {
    get stats() {
      return source.stats;
    },
    async *[Symbol.asyncIterator]() {
      for await (const a of source) yield f(a);
    },
  };
}
