/**
 * The encoder's configuration: schema defaults, then the YAML file named by FERRET_ENCODER_CONFIG, then
 * FERRET_ENCODER_* variables (nested keys with "__": FERRET_ENCODER_GRPC__PORT=50054,
 * FERRET_ENCODER_MODELS__DIR=/models, FERRET_ENCODER_MODELS__SERVE=all-minilm-l6-v2,
 * FERRET_ENCODER_NATS__URL=nats://nats:4222).
 *
 * Without a NATS URL the encoder runs embedded: the in-process bus, artifacts on disk under artifacts.dir.
 */
import { block, countField, flagField, jobsBlock, listField, serviceConfig, textField } from "@ferret/config";
import { modelsConfigFields } from "@ferret/inference";
import { z } from "zod";

export const { schema: encoderConfigSchema, load: loadEncoderConfig } = serviceConfig(
  "FERRET_ENCODER_",
  { grpcPort: 50054, metricsPort: 9465 },
  {
    models: block({
      /** dir: one bi-encoder model directory per name. */
      ...modelsConfigFields,
      /** Served from start-up (with `indexes`); unset: none until LoadModel. */
      serve: z.string().min(1).optional(),
      quantized: flagField(false),
      /** Indexes served from start-up (each built by the served model). */
      indexes: listField.default([]),
      /** Swap to a model when a "model.published" event names it (each replica swaps itself). */
      followPublished: flagField(false),
    }),
    indexes: block({
      dir: textField(".ferret/indexes"),
      /** Published indexes Search opens by ArtifactRef, one directory per bundle sha256. */
      cacheDir: textField(".ferret/index-cache"),
    }),
    hnsw: block({
      connectivity: countField(16),
      expansionAdd: countField(128),
      expansionSearch: countField(128),
    }),
    corpora: block({ dir: z.string().min(1).optional() }),
    /** Root of embedded BM25 index files for hybrid search. */
    lexical: block({ dir: z.string().min(1).optional() }),
    /** jobsBucket: job records (plans and results), so any replica can assemble a job. */
    shards: jobsBlock(
      { queue: "encoder-shards", jobsBucket: "encoder-jobs" },
      {
        recordsBucket: textField("encoder-shards"),
        objectsBucket: textField("encoder-shards"),
        /** Object bucket assembled indexes are published to. */
        indexesBucket: textField("encoder-indexes"),
        /** A shard not acked (or extended, after every embed chunk) within this time goes to another worker. */
        ackWaitMs: countField(60_000, 1000),
        maxDeliveries: countField(5),
      },
    ),
  },
);

export type EncoderConfig = z.infer<typeof encoderConfigSchema>;
