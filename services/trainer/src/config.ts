/**
 * The trainer's configuration: schema defaults, then the YAML file named by FERRET_TRAINER_CONFIG, then
 * FERRET_TRAINER_* variables (nested keys with "__": FERRET_TRAINER_GRPC__PORT=50058,
 * FERRET_TRAINER_NATS__URL=nats://nats:4222, FERRET_TRAINER_ENGINE__PYTHON=/venv/bin/python).
 *
 * Without a NATS URL the trainer runs embedded: the in-process bus, artifacts on disk under artifacts.dir.
 */
import { block, countField, grpcClientTlsSchema, jobsBlock, serviceConfig, textField } from "@ferret/config";
import { z } from "zod";
import { ENGINE_DIR } from "./engine/engine-dir.js";

export const { schema: trainerConfigSchema, load: loadTrainerConfig } = serviceConfig(
  "FERRET_TRAINER_",
  { grpcPort: 50058, metricsPort: 9468 },
  {
    data: block({
      /** Relative paths in job specs resolve here (corpora, label files, models). */
      root: textField("."),
    }),
    engine: block({
      /** The Python of the engine's virtualenv (`make py-env` creates .venv). */
      python: textField(".venv/bin/python"),
      /** Directory holding the ferret_engine package. */
      dir: textField(ENGINE_DIR),
    }),
    /** TLS to the live encoders job specs name (negatives.dense.encoder), e.g. FERRET_TRAINER_ENCODER__TLS__CA_FILE. */
    encoder: block({ tls: grpcClientTlsSchema }),
    publish: block({
      /**
       * The models root trained models are published to (the encoder's or ranker's models.dir, e.g. a
       * shared volume); unset: models stay in the job's work dir and nothing is published.
       */
      modelsDir: z.string().min(1).optional(),
      /**
       * The object bucket trained models are uploaded to before `model.published` names them (encoder
       * replicas fetch them from there); unset: no upload.
       */
      bucket: z.string().min(1).optional(),
    }),
    jobs: jobsBlock(
      { queue: "trainer", jobsBucket: "trainer-jobs" },
      {
        /** Per-job working directories: training sets, engine job files, checkpoints, models. */
        workDir: textField(".ferret/trainer"),
        heartbeatMs: countField(10_000, 100),
      },
    ),
  },
);

export type TrainerConfig = z.infer<typeof trainerConfigSchema>;
