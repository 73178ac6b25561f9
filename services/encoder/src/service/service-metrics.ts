/** Prometheus metrics of the encoder (served on /metrics by main.ts through startEncoder). */
import {
  Counter,
  Gauge,
  Histogram,
  noRpcMetrics,
  rpcMetrics,
  type Registry,
  type RpcMetrics,
} from "@ferret/metrics";
import type { ShardWorkerMetrics } from "../sharding/shard-worker.js";

export interface EncoderMetrics extends RpcMetrics, ShardWorkerMetrics {
  /** Texts embedded by Embed and queries embedded by Search. */
  textsEmbedded(role: string, count: number): void;
  /** Progress of an IndexCorpus call this replica coordinates. */
  indexProgress(index: string, done: number, total: number, shardsDone: number, shards: number): void;
  /** An IndexCorpus call ended (its progress gauges are dropped). */
  indexFinished(index: string, outcome: string): void;
}

export function encoderMetrics(registry: Registry): EncoderMetrics {
  const rpc = rpcMetrics(registry, "encoder", { durationNote: "IndexCorpus: the whole stream" });
  const documents = new Counter({
    name: "ferret_encoder_documents_embedded_total",
    help: "Documents embedded by this replica's shard worker (recorded shards only)",
    registers: [registry],
  });
  const texts = new Counter({
    name: "ferret_encoder_texts_embedded_total",
    help: "Texts embedded for Embed and Search, by role",
    labelNames: ["role"] as const,
    registers: [registry],
  });
  const shards = new Counter({
    name: "ferret_encoder_shards_total",
    help: "Shard deliveries handled by this replica's worker, by outcome",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const assemblies = new Counter({
    name: "ferret_encoder_assemblies_total",
    help: "Assemble messages handled by this replica's worker, by outcome",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  const assemblySeconds = new Histogram({
    name: "ferret_encoder_assembly_seconds",
    help: "Time to handle an assemble message (build, upload, claim)",
    buckets: [0.05, 0.2, 1, 5, 30, 120, 600],
    registers: [registry],
  });
  const indexDocs = new Gauge({
    name: "ferret_encoder_index_documents",
    help: "Documents of the index builds this replica coordinates",
    labelNames: ["index"] as const,
    registers: [registry],
  });
  const indexDone = new Gauge({
    name: "ferret_encoder_index_documents_done",
    help: "Documents encoded so far (recorded shards) of the index builds this replica coordinates",
    labelNames: ["index"] as const,
    registers: [registry],
  });
  const indexShardsDone = new Gauge({
    name: "ferret_encoder_index_shards_done_ratio",
    help: "Fraction of shards recorded of the index builds this replica coordinates",
    labelNames: ["index"] as const,
    registers: [registry],
  });
  const indexJobs = new Counter({
    name: "ferret_encoder_index_jobs_total",
    help: "IndexCorpus calls coordinated by this replica, by outcome",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  return {
    ...rpc,
    textsEmbedded(role, count) {
      texts.inc({ role }, count);
    },
    shardFinished(outcome, count) {
      shards.inc({ outcome });
      if (count > 0) documents.inc(count);
    },
    assembled(outcome, took) {
      assemblies.inc({ outcome });
      assemblySeconds.observe(took);
    },
    indexProgress(index, done, total, shardsDone, shardCount) {
      indexDocs.set({ index }, total);
      indexDone.set({ index }, done);
      indexShardsDone.set({ index }, shardCount === 0 ? 1 : shardsDone / shardCount);
    },
    indexFinished(index, outcome) {
      indexJobs.inc({ outcome });
      indexDocs.remove({ index });
      indexDone.remove({ index });
      indexShardsDone.remove({ index });
    },
  };
}

/** Metrics that record nothing (tests, library use). */
export const noMetrics: EncoderMetrics = {
  ...noRpcMetrics,
  textsEmbedded: () => undefined,
  shardFinished: () => undefined,
  assembled: () => undefined,
  indexProgress: () => undefined,
  indexFinished: () => undefined,
};
