/**
 * The pipeline stages a service process hosts under `ferret serve` (each stage next to the service whose
 * work it is: the encoder ingests, the annotator annotates, the trainer assembles and trains, the evaluator
 * evaluates and reports), reacting to the cluster's pipeline events on its own connection to the service's
 * NATS (stage-reactors.ts). Stopped before the service, so a stage in flight goes back to its queue.
 */
import type { ServiceBlocksConfig } from "@ferret/config";
import type { Logger } from "@ferret/logging";
import type { StageEnvironment } from "../pipeline/index.js";
import { openPipelineStores, pipelineNames } from "./pipeline-run.js";
import { pipelineStageRunner } from "./pipeline-stage-runner.js";
import type { ServiceName } from "./service-catalog.js";
import { startStageReactors, type StageReactors } from "./stage-reactors.js";

export const STAGE_HOSTS: Record<ServiceName, readonly string[]> = {
  encoder: ["ingest"],
  annotator: ["annotate"],
  trainer: ["assemble", "train"],
  evaluator: ["evaluate", "report"],
  ranker: [],
};

export interface PipelineHostOptions {
  service: ServiceName;
  config: ServiceBlocksConfig;
  env: Omit<StageEnvironment, "log">;
  logger: Logger;
  /** A stage message not extended within this time goes to another host. Default 60 s. */
  ackWaitMs?: number;
}

/** Starts the service's stage hosts; undefined when it hosts none or runs without NATS. */
export async function startPipelineHost(options: PipelineHostOptions): Promise<StageReactors | undefined> {
  const stages = STAGE_HOSTS[options.service];
  if (stages.length === 0 || options.config.nats.url === undefined) return undefined;
  const { openBus } = await import("@ferret/service");
  const logger = options.logger.child({ pipeline: stages.join(",") });
  const bus = await openBus(options.config, `${options.service}-pipeline`, logger);
  try {
    const stores = await openPipelineStores(bus, pipelineNames());
    const reactors = await startStageReactors({
      bus,
      stores,
      stages,
      runStage: pipelineStageRunner({ ...options.env, log: logger }),
      ackWaitMs: options.ackWaitMs ?? 60_000,
      logger,
    });
    logger.info({ stages }, "hosting pipeline stages");
    return {
      async stop(stopOptions) {
        await reactors.stop(stopOptions);
        await bus.close(stopOptions);
      },
    };
  } catch (err) {
    await bus.close();
    throw err;
  }
}
