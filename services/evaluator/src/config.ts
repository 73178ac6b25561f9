/**
 * The evaluator's configuration: schema defaults, then the YAML file named by FERRET_EVALUATOR_CONFIG, then
 * FERRET_EVALUATOR_* variables (nested keys with "__": FERRET_EVALUATOR_GRPC__PORT=50055,
 * FERRET_EVALUATOR_NATS__URL=nats://nats:4222, FERRET_EVALUATOR_JOBS__ENABLED=false).
 *
 * Without a NATS URL the service runs embedded: the in-process bus, with artifacts on disk under
 * artifacts.dir. With one it joins the cluster's JetStream for jobs, events, KV and the object store.
 */
import { flagField, grpcServerSchema, portField, loadConfig, type LoadConfigOptions } from "@ferret/config";
import { z } from "zod";

export const evaluatorConfigSchema = z.object({
  grpc: grpcServerSchema(50055),
  metrics: z
    .object({
      enabled: flagField(true),
      host: z.string().min(1).default("0.0.0.0"),
      port: portField(9464),
    })
    .prefault({}),
  nats: z
    .object({
      /** e.g. nats://nats:4222; unset: embedded mode (in-process bus). */
      url: z.string().min(1).optional(),
    })
    .prefault({}),
  artifacts: z
    .object({
      /** Embedded mode: the object store's directory; with source "files": the root of plain files. */
      dir: z.string().min(1).default(".ferret/artifacts"),
      /**
       * Where request ArtifactRefs are read: "objects" (the bus object store) or "files" (plain files at
       * <dir>/<bucket>/<name>, e.g. a mounted volume of runs).
       */
      source: z.enum(["objects", "files"]).default("objects"),
    })
    .prefault({}),
  jobs: z
    .object({
      enabled: flagField(true),
      queue: z.string().min(1).default("evaluator"),
      jobsBucket: z.string().min(1).default("evaluator-jobs"),
      resultsBucket: z.string().min(1).default("evaluator-results"),
      concurrency: z.coerce.number().int().min(1).default(1),
    })
    .prefault({}),
});

export type EvaluatorConfig = z.infer<typeof evaluatorConfigSchema>;

export function loadEvaluatorConfig(options: Omit<LoadConfigOptions, "prefix"> = {}): EvaluatorConfig {
  return loadConfig(evaluatorConfigSchema, { ...options, prefix: "FERRET_EVALUATOR_" });
}
