/**
 * Everything the trainer process runs, wired from its config on the service runtime (@ferret/service: bus,
 * gRPC server, /metrics, ordered stop): the gRPC Trainer and the training job worker (one job at a time
 * per replica). `stop()` stops taking calls and jobs first, then closes the bus, then /metrics.
 */
import { resolve } from "node:path";
import { serviceStart } from "@ferret/service";
import type { TrainerConfig } from "../config.js";
import { openTrainingJobs } from "../jobs/training-job.js";
import { startTrainingWorker } from "../jobs/training-worker.js";
import { createTrainerService } from "./trainer-service.js";

export const startTrainer = serviceStart(
  "trainer",
  async (config: TrainerConfig, { bus, logger, ...runtime }) => {
    const dataRoot = resolve(config.data.root);
    const jobs = await openTrainingJobs(bus, config.jobs.jobsBucket);
    await runtime.listen([createTrainerService({ bus, jobs, dataRoot, queue: config.jobs.queue })]);
    const worker = await runtime.startWorker(config.jobs.enabled, () =>
      startTrainingWorker({
        bus,
        python: config.engine.python,
        engineDir: resolve(config.engine.dir),
        dataRoot,
        workDir: resolve(config.jobs.workDir),
        queue: config.jobs.queue,
        jobsBucket: config.jobs.jobsBucket,
        heartbeatMs: config.jobs.heartbeatMs,
        encoderTls: { ...config.encoder.tls, source: "encoder.tls" },
        ...(config.publish.modelsDir === undefined ? {} : { modelsDir: resolve(config.publish.modelsDir) }),
        ...(config.publish.bucket === undefined ? {} : { modelsBucket: config.publish.bucket }),
        logger,
      }),
    );
    runtime.describe({ jobs: config.jobs.enabled ? config.jobs.queue : false, engine: config.engine.python });
    return { worker };
  },
);

export type RunningTrainer = Awaited<ReturnType<typeof startTrainer>>;
