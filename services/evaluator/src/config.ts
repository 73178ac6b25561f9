/**
 * The evaluator's configuration: schema defaults, then the YAML file named by FERRET_EVALUATOR_CONFIG, then
 * FERRET_EVALUATOR_* variables (nested keys with "__": FERRET_EVALUATOR_GRPC__PORT=50055,
 * FERRET_EVALUATOR_NATS__URL=nats://nats:4222, FERRET_EVALUATOR_JOBS__ENABLED=false).
 *
 * Without a NATS URL the service runs embedded: the in-process bus, with artifacts on disk under
 * artifacts.dir. With one it joins the cluster's JetStream for jobs, events, KV and the object store.
 */
import { artifactsSchema, countField, jobsBlock, serviceConfig, textField } from "@ferret/config";
import { z } from "zod";

export const { schema: evaluatorConfigSchema, load: loadEvaluatorConfig } = serviceConfig(
  "FERRET_EVALUATOR_",
  { grpcPort: 50055, metricsPort: 9464 },
  {
    /** artifacts.dir: embedded mode, the object store's directory; with source "files", the root of plain files. */
    artifacts: artifactsSchema(".ferret/artifacts", {
      /**
       * Where request ArtifactRefs are read: "objects" (the bus object store) or "files" (plain files at
       * <dir>/<bucket>/<name>, e.g. a mounted volume of runs).
       */
      source: z.enum(["objects", "files"]).default("objects"),
    }),
    jobs: jobsBlock(
      { queue: "evaluator", jobsBucket: "evaluator-jobs" },
      { resultsBucket: textField("evaluator-results"), concurrency: countField(1) },
    ),
  },
);

export type EvaluatorConfig = z.infer<typeof evaluatorConfigSchema>;
