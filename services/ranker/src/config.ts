/**
 * The ranker's configuration: schema defaults, then the YAML file named by FERRET_RANKER_CONFIG, then
 * FERRET_RANKER_* variables (nested keys with "__": FERRET_RANKER_GRPC__PORT=50056,
 * FERRET_RANKER_MODELS__DIR=/models, FERRET_RANKER_NATS__URL=nats://nats:4222).
 *
 * Without a NATS URL the ranker runs embedded: the in-process bus, artifacts on disk under artifacts.dir.
 */
import { loadConfig, type LoadConfigOptions } from "@ferret/config";
import { z } from "zod";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const flag = (fallback: boolean) => z.union([z.boolean(), z.stringbool()]).default(fallback);
const count = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);

export const rankerConfigSchema = z.object({
  grpc: z
    .object({
      host: z.string().min(1).default("0.0.0.0"),
      port: port(50056),
      maxMessageBytes: z.coerce
        .number()
        .int()
        .positive()
        .default(256 * 1024 * 1024),
      shutdownTimeoutMs: z.coerce.number().int().min(0).default(10_000),
    })
    .prefault({}),
  models: z
    .object({
      /** One cross-encoder model directory per name (ferret.json kind "cross-encoder"). */
      dir: z.string().min(1).default("models"),
      /** Used when a request names no model. */
      default: z.string().min(1).optional(),
      /** ONNX Runtime intra-op threads per model; 0 = one per core. */
      threads: count(0, 0),
      maxBatchSize: count(32),
      maxBatchTokens: count(16384),
    })
    .prefault({}),
  corpora: z
    .object({
      /** Root of the BEIR directories Rerank requests may name; unset: inline texts only. */
      dir: z.string().min(1).optional(),
    })
    .prefault({}),
  nats: z.object({ url: z.string().min(1).optional() }).prefault({}),
  artifacts: z.object({ dir: z.string().min(1).default(".ferret/artifacts") }).prefault({}),
  jobs: z
    .object({
      enabled: flag(true),
      queue: z.string().min(1).default("ranker-score"),
      jobsBucket: z.string().min(1).default("ranker-jobs"),
      batchesBucket: z.string().min(1).default("ranker-batches"),
      resultsBucket: z.string().min(1).default("ranker-results"),
      concurrency: count(1),
      /** A batch not acked (or extended) within this time is handed to another worker. */
      ackWaitMs: count(60_000, 1000),
      maxDeliveries: count(5),
    })
    .prefault({}),
});

export type RankerConfig = z.infer<typeof rankerConfigSchema>;

export function loadRankerConfig(options: Omit<LoadConfigOptions, "prefix"> = {}): RankerConfig {
  return loadConfig(rankerConfigSchema, { ...options, prefix: "FERRET_RANKER_" });
}
