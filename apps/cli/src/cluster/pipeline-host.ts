/**
 * The pipeline stages a service process hosts under `ferret serve` (each stage next to the service whose
 * work it is: the encoder ingests, the annotator annotates, the trainer assembles and trains, the evaluator
 * evaluates and reports), reacting to the cluster's pipeline events on its own connection to the service's
 * NATS (stage-reactors.ts). Stopped before the service, so a stage in flight goes back to its queue.
 * The same processes serve the pipeline API (pipeline-service.ts) on the service's own gRPC port: the run
 * records it reads and the queues it fills are on the cluster's NATS, so any of them answers alike.
 */
import type { Bus } from "@ferret/bus";
import type { ServiceBlocksConfig } from "@ferret/config";
import type { ServiceRegistration } from "@ferret/grpc";
import type { Logger } from "@ferret/logging";
import type { StageEnvironment } from "../pipeline/index.js";
import { openPipelineStores, pipelineNames } from "./pipeline-run.js";
import { createPipelineService } from "./pipeline-service.js";
import { pipelineStageRunner } from "./pipeline-stage-runner.js";
import type { ServiceName } from "./service-catalog.js";
import { stageQueueOptions, startStageReactors, type StageReactors } from "./stage-reactors.js";

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
}

/** Starts the service's stage hosts; undefined when it hosts none or runs without NATS. */
export async function startPipelineHost(options: PipelineHostOptions): Promise<StageReactors | undefined> {
  const stages = STAGE_HOSTS[options.service];
  if (stages.length === 0 || options.config.nats.url === undefined) return undefined;
  const { openBus } = await import("@ferret/service");
  const logger = options.logger.child({ pipeline: stages.join(",") });
  // The stages' modules are loaded now, not by the first stage message: evaluating that module graph holds
  // the event loop for seconds on a loaded machine (5 s measured at load 19 on 2 cores), and a message
  // not extended within its ack wait meanwhile goes to another replica while this one runs it too.
  await import("../pipeline/index.js");
  const bus = await openBus(options.config, `${options.service}-pipeline`, logger);
  try {
    const stores = await openPipelineStores(bus, pipelineNames());
    const reactors = await startStageReactors({
      bus,
      stores,
      stages,
      runStage: pipelineStageRunner({ ...options.env, log: logger }),
      ...stageQueueOptions({ ackWaitMs: options.config.pipeline.ackWaitMs }),
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

/**
 * The pipeline API for a service that hosts stages, built on the service's bus (served when it is NATS);
 * undefined for a service that hosts none.
 */
export function pipelineApi(
  service: ServiceName,
  logger: Logger,
  /**
   * The service's pipeline.ackWaitMs, which its stage hosts consume with (the last opener of a queue sets
   * its options); read when the API first opens a stage's queue.
   */
  ackWaitMs: () => number,
): ((bus: Bus) => Promise<readonly ServiceRegistration[]>) | undefined {
  if (STAGE_HOSTS[service].length === 0) return undefined;
  return async (bus) => {
    if (bus.kind !== "nats") return [];
    const stores = await openPipelineStores(bus, pipelineNames());
    const queueOptions = () => stageQueueOptions({ ackWaitMs: ackWaitMs() });
    return [createPipelineService({ bus, stores, queueOptions, logger })];
  };
}
