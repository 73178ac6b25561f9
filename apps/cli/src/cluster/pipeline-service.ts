/**
 * The gRPC Pipeline (proto/ferret/v1/pipeline.proto): submits a cluster run (planned as `ferret run
 * --cluster` plans it), and drives one stage by hand. RunStage queues the stage's job on the same work
 * queue its host's reactor would (stage-queue.ts), so the host's worker runs it with the same stage runner
 * (pipeline-stage-runner.ts), the same key, the same output directory and the same completion event; a
 * manual run only stops the reactors from queueing its stages themselves. GetRun and WatchRun read the run
 * record and its stages' job records (watch-run.ts); CancelRun marks the stages that have not ended
 * cancelled, and the host of a running one stops it (stage-reactors.ts). Nothing here runs a stage, so the service can be served
 * by any process on the cluster's NATS.
 */
import { isAbsolute } from "node:path";
import type { Bus, QueueOptions, WorkQueue } from "@ferret/bus";
import { FailedPreconditionError, InvalidArgumentError } from "@ferret/errors";
import { defineService, type CallContext, type ServiceRegistration } from "@ferret/grpc";
import { checkJobId, isFinal } from "@ferret/jobs";
import { silentLogger, type Logger } from "@ferret/logging";
import {
  PipelineService,
  type PipelineRunRef,
  type PipelineRunStatus,
  type PipelineStageStatus,
  type RunStageRequest,
  type SubmitRunRequest,
} from "@ferret/proto";
import {
  cancelRun,
  stageJobId,
  submitRun,
  type PipelineStores,
  type StageJobRecord,
  type StageJobSpec,
} from "./pipeline-run.js";
import { planClusterRun } from "./plan-run.js";
import { toRunStatus, toStageStatus } from "./run-status.js";
import { enqueueStage, openStageQueue, unfinishedUpstream } from "./stage-queue.js";
import { readRun, watchRun } from "./watch-run.js";

export interface PipelineServiceOptions {
  bus: Bus;
  stores: PipelineStores;
  /**
   * The options the stage hosts consume their queues with (stageQueueOptions): opening a queue sets them.
   * A function is called when a stage's queue is first opened.
   */
  queueOptions: QueueOptions | (() => QueueOptions);
  logger?: Logger;
}

export function createPipelineService(options: PipelineServiceOptions): ServiceRegistration {
  const { bus, stores } = options;
  const logger = (options.logger ?? silentLogger()).child({ component: "pipeline-api" });
  const queues = new Map<string, Promise<WorkQueue<StageJobSpec>>>();

  function queueOf(stage: string): Promise<WorkQueue<StageJobSpec>> {
    let queue = queues.get(stage);
    if (queue === undefined) {
      const { queueOptions } = options;
      queue = (async () =>
        openStageQueue(
          bus,
          stores.names,
          stage,
          typeof queueOptions === "function" ? queueOptions() : queueOptions,
        ))();
      queue.catch(() => queues.delete(stage));
      queues.set(stage, queue);
    }
    return queue;
  }

  function runIdOf(request: { runId: string }): string {
    checkJobId(request.runId, { file: "<request>", field: "run_id" });
    return request.runId;
  }

  async function submit(request: SubmitRunRequest): Promise<PipelineRunStatus> {
    if (request.specFile === "" || !isAbsolute(request.specFile))
      throw new InvalidArgumentError(
        `spec_file must be an absolute path every process of the cluster can read, got "${request.specFile}"`,
        { details: { field: "spec_file" } },
      );
    const run = await planClusterRun(request.specFile, {
      runId: request.runId === "" ? undefined : runIdOf(request),
      manual: request.manual,
    });
    const { created } = await submitRun(bus, stores, run);
    logger.info({ run: run.runId, manual: request.manual, created }, "run submitted");
    return toRunStatus(await readRun(stores, run.runId));
  }

  /** Waits until the stage's job has ended (or the call is cancelled: CancelledError/TimeoutError). */
  async function ended(runId: string, stage: string, signal: AbortSignal): Promise<StageJobRecord> {
    for await (const view of watchRun(stores, runId, signal)) {
      const record = view.stages[stage];
      if (record !== undefined && isFinal(record.state)) return record;
    }
    // The run ended (another stage failed) before this stage did: follow its job alone.
    let last: StageJobRecord | undefined;
    if (!signal.aborted)
      for await (const record of stores.stages.watch(stageJobId(runId, stage), { signal })) last = record;
    if (last !== undefined && isFinal(last.state)) return last;
    throw signal.reason;
  }

  async function runStage(request: RunStageRequest, call: CallContext): Promise<PipelineStageStatus> {
    const runId = runIdOf(request);
    const { run, stages } = await readRun(stores, runId);
    const planned = run.stages.find((s) => s.name === request.stage);
    if (planned === undefined)
      throw new InvalidArgumentError(
        `run ${runId} has no stage "${request.stage}": its stages are ${run.stages.map((s) => s.name).join(", ")}`,
        { details: { field: "stage" } },
      );
    const stage = planned.name;
    let record = stages[stage];
    if (record?.state === "failed" || record?.state === "cancelled")
      throw new FailedPreconditionError(
        `stage ${stage} of run ${runId} ${record.state}${record.error ? `: ${record.error.message}` : ""}; submit a new run (its finished stages are reused by key)`,
        { details: { stage, state: record.state } },
      );
    if (record === undefined) {
      const missing = await unfinishedUpstream(stores, run, planned.needs);
      if (missing.length > 0)
        throw new FailedPreconditionError(
          `stage ${stage} of run ${runId} needs ${missing.join(", ")} to have succeeded first (RunStage ${missing[0]})`,
          { details: { stage, missing } },
        );
      const { duplicate } = await enqueueStage(await queueOf(stage), runId, stage);
      if (!duplicate) logger.info({ run: runId, stage }, "stage submitted by RunStage");
    }
    if (request.wait) record = await ended(runId, stage, call.signal);
    return toStageStatus(planned, record ?? (await stores.stages.get(stageJobId(runId, stage))));
  }

  async function cancel(ref: PipelineRunRef): Promise<PipelineRunStatus> {
    const view = await readRun(stores, runIdOf(ref));
    if (view.state !== "running") return toRunStatus(view);
    await cancelRun(stores, view.run, "cancelled by a CancelRun call");
    logger.info({ run: view.run.runId }, "run cancelled");
    return toRunStatus(await readRun(stores, view.run.runId));
  }

  async function* watch(ref: PipelineRunRef, call: CallContext): AsyncIterable<PipelineRunStatus> {
    for await (const view of watchRun(stores, runIdOf(ref), call.signal)) yield toRunStatus(view);
  }

  return defineService(PipelineService, {
    submitRun: submit,
    runStage,
    getRun: async (ref) => toRunStatus(await readRun(stores, runIdOf(ref))),
    cancelRun: cancel,
    watchRun: watch,
  });
}
