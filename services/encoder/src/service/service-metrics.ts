/** Prometheus metrics of the encoder (served on /metrics by main.ts through startEncoder). */
import { createRegistry, serviceMetrics, type Registry, type RpcMetrics } from "@ferret/metrics";
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
  const m = serviceMetrics(registry, "encoder", { durationNote: "IndexCorpus: the whole stream" });
  const documents = m.counter(
    "documents_embedded_total",
    "Documents embedded by this replica's shard worker (recorded shards only)",
  );
  const texts = m.counter("texts_embedded_total", "Texts embedded for Embed and Search, by role", ["role"]);
  const shards = m.counter("shards_total", "Shard deliveries handled by this replica's worker, by outcome", [
    "outcome",
  ]);
  const assemblies = m.counter(
    "assemblies_total",
    "Assemble messages handled by this replica's worker, by outcome",
    ["outcome"],
  );
  const assemblySeconds = m.histogram(
    "assembly_seconds",
    "Time to handle an assemble message (build, upload, claim)",
    [0.05, 0.2, 1, 5, 30, 120, 600],
  );
  const byIndex = ["index"] as const;
  const indexDocs = m.gauge(
    "index_documents",
    "Documents of the index builds this replica coordinates",
    byIndex,
  );
  const indexDone = m.gauge(
    "index_documents_done",
    "Documents encoded so far (recorded shards) of the index builds this replica coordinates",
    byIndex,
  );
  const indexShardsDone = m.gauge(
    "index_shards_done_ratio",
    "Fraction of shards recorded of the index builds this replica coordinates",
    byIndex,
  );
  const indexJobs = m.counter(
    "index_jobs_total",
    "IndexCorpus calls coordinated by this replica, by outcome",
    ["outcome"],
  );
  return {
    ...m.rpc,
    textsEmbedded: (role, count) => texts.inc({ role }, count),
    shardFinished(outcome, count) {
      shards.inc({ outcome });
      documents.inc(count);
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
      for (const gauge of [indexDocs, indexDone, indexShardsDone]) gauge.remove({ index });
    },
  };
}

/** Metrics kept in a registry nobody serves (tests, library use). */
export const noMetrics: EncoderMetrics = encoderMetrics(createRegistry({ defaults: false }));
