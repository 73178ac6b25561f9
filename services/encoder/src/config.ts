/**
 * The encoder's configuration: schema defaults, then the YAML file named by FERRET_ENCODER_CONFIG, then
 * FERRET_ENCODER_* variables (nested keys with "__": FERRET_ENCODER_GRPC__PORT=50055,
 * FERRET_ENCODER_MODELS__DIR=/models, FERRET_ENCODER_MODELS__SERVE=all-minilm-l6-v2,
 * FERRET_ENCODER_NATS__URL=nats://nats:4222).
 *
 * Without a NATS URL the encoder runs embedded: the in-process bus, artifacts on disk under artifacts.dir.
 */
import { loadConfig, type LoadConfigOptions } from "@ferret/config";
import { z } from "zod";

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const flag = (fallback: boolean) => z.union([z.boolean(), z.stringbool()]).default(fallback);
const count = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);
const list = z.preprocess(
  (v) => (typeof v === "string" ? v.split(",").filter((s) => s !== "") : v),
  z.array(z.string().min(1)),
);

export const encoderConfigSchema = z.object({
  grpc: z
    .object({
      host: z.string().min(1).default("0.0.0.0"),
      port: port(50055),
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
      /** One bi-encoder model directory per name. */
      dir: z.string().min(1).default("models"),
      /** Served from start-up (with `indexes`); unset: none until LoadModel. */
      serve: z.string().min(1).optional(),
      quantized: flag(false),
      /** Indexes served from start-up (each built by the served model). */
      indexes: list.default([]),
      /** Swap to a model when a "model.published" event names it (each replica swaps itself). */
      followPublished: flag(false),
      /** ONNX Runtime intra-op threads per model; 0 = one per core. */
      threads: count(0, 0),
      maxBatchSize: count(32),
      maxBatchTokens: count(16384),
    })
    .prefault({}),
  indexes: z.object({ dir: z.string().min(1).default(".ferret/indexes") }).prefault({}),
  hnsw: z
    .object({
      connectivity: count(16),
      expansionAdd: count(128),
      expansionSearch: count(128),
    })
    .prefault({}),
  corpora: z.object({ dir: z.string().min(1).optional() }).prefault({}),
  /** Root of embedded BM25 index files for hybrid search. */
  lexical: z.object({ dir: z.string().min(1).optional() }).prefault({}),
  nats: z.object({ url: z.string().min(1).optional() }).prefault({}),
  artifacts: z.object({ dir: z.string().min(1).default(".ferret/artifacts") }).prefault({}),
  shards: z
    .object({
      /** Run a shard worker in this replica. */
      enabled: flag(true),
      queue: z.string().min(1).default("encoder-shards"),
      recordsBucket: z.string().min(1).default("encoder-shards"),
      objectsBucket: z.string().min(1).default("encoder-shards"),
      /** A shard not acked (or extended, after every embed chunk) within this time goes to another worker. */
      ackWaitMs: count(60_000, 1000),
      maxDeliveries: count(5),
    })
    .prefault({}),
});

export type EncoderConfig = z.infer<typeof encoderConfigSchema>;

export function loadEncoderConfig(options: Omit<LoadConfigOptions, "prefix"> = {}): EncoderConfig {
  return loadConfig(encoderConfigSchema, { ...options, prefix: "FERRET_ENCODER_" });
}
