/**
 * The encoder's configuration: schema defaults, then the YAML file named by FERRET_ENCODER_CONFIG, then
 * FERRET_ENCODER_* variables (nested keys with "__": FERRET_ENCODER_GRPC__PORT=50054,
 * FERRET_ENCODER_MODELS__DIR=/models, FERRET_ENCODER_MODELS__SERVE=all-minilm-l6-v2,
 * FERRET_ENCODER_NATS__URL=nats://nats:4222).
 *
 * Without a NATS URL the encoder runs embedded: the in-process bus, artifacts on disk under artifacts.dir.
 */
import { countField, flagField, listField, serviceConfig } from "@ferret/config";
import { z } from "zod";

export const { schema: encoderConfigSchema, load: loadEncoderConfig } = serviceConfig(
  "FERRET_ENCODER_",
  { grpcPort: 50054, metricsPort: 9465 },
  {
    models: z
      .object({
        /** One bi-encoder model directory per name. */
        dir: z.string().min(1).default("models"),
        /** Served from start-up (with `indexes`); unset: none until LoadModel. */
        serve: z.string().min(1).optional(),
        quantized: flagField(false),
        /** Indexes served from start-up (each built by the served model). */
        indexes: listField.default([]),
        /** Swap to a model when a "model.published" event names it (each replica swaps itself). */
        followPublished: flagField(false),
        /** ONNX Runtime intra-op threads per model; 0 = one per core. */
        threads: countField(0, 0),
        maxBatchSize: countField(32),
        maxBatchTokens: countField(16384),
      })
      .prefault({}),
    indexes: z
      .object({
        dir: z.string().min(1).default(".ferret/indexes"),
        /** Published indexes Search opens by ArtifactRef, one directory per bundle sha256. */
        cacheDir: z.string().min(1).default(".ferret/index-cache"),
      })
      .prefault({}),
    hnsw: z
      .object({
        connectivity: countField(16),
        expansionAdd: countField(128),
        expansionSearch: countField(128),
      })
      .prefault({}),
    corpora: z.object({ dir: z.string().min(1).optional() }).prefault({}),
    /** Root of embedded BM25 index files for hybrid search. */
    lexical: z.object({ dir: z.string().min(1).optional() }).prefault({}),
    shards: z
      .object({
        /** Run a shard worker in this replica. */
        enabled: flagField(true),
        queue: z.string().min(1).default("encoder-shards"),
        recordsBucket: z.string().min(1).default("encoder-shards"),
        objectsBucket: z.string().min(1).default("encoder-shards"),
        /** KV bucket of job records (plans and results), so any replica can assemble a job. */
        jobsBucket: z.string().min(1).default("encoder-jobs"),
        /** Object bucket assembled indexes are published to. */
        indexesBucket: z.string().min(1).default("encoder-indexes"),
        /** A shard not acked (or extended, after every embed chunk) within this time goes to another worker. */
        ackWaitMs: countField(60_000, 1000),
        maxDeliveries: countField(5),
      })
      .prefault({}),
  },
);

export type EncoderConfig = z.infer<typeof encoderConfigSchema>;
