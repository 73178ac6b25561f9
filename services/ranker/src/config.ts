/**
 * The ranker's configuration: schema defaults, then the YAML file named by FERRET_RANKER_CONFIG, then
 * FERRET_RANKER_* variables (nested keys with "__": FERRET_RANKER_GRPC__PORT=50056,
 * FERRET_RANKER_MODELS__DIR=/models, FERRET_RANKER_NATS__URL=nats://nats:4222).
 *
 * Without a NATS URL the ranker runs embedded: the in-process bus, artifacts on disk under artifacts.dir.
 */
import { block, countField, jobsBlock, serviceConfig, textField } from "@ferret/config";
import { modelsConfigFields } from "@ferret/inference";
import { z } from "zod";

export const { schema: rankerConfigSchema, load: loadRankerConfig } = serviceConfig(
  "FERRET_RANKER_",
  { grpcPort: 50056, metricsPort: 9466 },
  {
    models: block({
      /** dir: one cross-encoder model directory per name (ferret.json kind "cross-encoder"). */
      ...modelsConfigFields,
      /** Used when a request names no model. */
      default: z.string().min(1).optional(),
    }),
    corpora: block({
      /** Root of the BEIR directories Rerank requests may name; unset: inline texts only. */
      dir: z.string().min(1).optional(),
    }),
    jobs: jobsBlock(
      { queue: "ranker-score", jobsBucket: "ranker-jobs" },
      {
        batchesBucket: textField("ranker-batches"),
        resultsBucket: textField("ranker-results"),
        concurrency: countField(1),
        /** A batch not acked (or extended) within this time is handed to another worker. */
        ackWaitMs: countField(60_000, 1000),
        maxDeliveries: countField(5),
      },
    ),
  },
);

export type RankerConfig = z.infer<typeof rankerConfigSchema>;
