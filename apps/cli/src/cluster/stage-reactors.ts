/**
 * Choreography: each stage reacts to the events of the stages it needs, with no loop calling them in turn.
 * A process hosting stage S (the service that owns it, under `ferret serve`) runs two things for it:
 *   - a reactor, in S's durable event group: on a run's submission or any stage's completion it reads the
 *     run record, and when every stage S needs has succeeded and S has no job yet, it puts S's job on S's
 *     work queue (message id = the job id, so a redelivered or repeated event within the queue's dedup
 *     window enqueues nothing; after it, the job record exists and the reactor does nothing);
 *   - a worker on S's queue (consumeJobs: a final job is acked without work; what fails is retried, then
 *     marked failed): it runs the stage, keeping the message alive while it works, stores the summary and
 *     announces the completion, which wakes the reactors of the stages after S.
 * A worker that dies mid-stage leaves its message unacked; after the ack wait it goes to another replica,
 * which runs the stage again (stage outputs are keyed and written atomically, work directories resume). A
 * worker that dies after storing the summary but before announcing it leaves its message unacked too; the
 * replica that gets it finds the job final and announces it (same event id). A
 * second message of a job already running that is not a redelivery (a duplicate past the dedup window) is
 * acked without work, so a stage never runs twice at once. A stage whose job is cancelled (CancelRun) is
 * stopped through its signal and its message acked.
 */
import type { Bus, Consumer, Job, Subscription } from "@ferret/bus";
import { consumeJobs, watchCancellation } from "@ferret/jobs";
import { silentLogger, type Logger } from "@ferret/logging";
import {
  stageJobId,
  type PipelineStores,
  type RunEvent,
  type RunRecord,
  type StageJobSpec,
  type StageResult,
} from "./pipeline-run.js";
import { enqueueStage, openStageQueue, unfinishedUpstream } from "./stage-queue.js";

export interface StageRunContext {
  /** Reports progress (written to the stage's job record, at most every progressMs). */
  progress(done: number, total: number, unit: string): void;
  /** Aborted when the worker stops or the message was handed to another replica. */
  signal: AbortSignal;
}

/** Does stage `stage` of `run`; returns the summary kept in its job record. */
export type RunStage = (run: RunRecord, stage: string, ctx: StageRunContext) => Promise<StageResult>;

export interface StageReactorOptions {
  bus: Bus;
  stores: PipelineStores;
  /** The stages this process hosts. */
  stages: readonly string[];
  runStage: RunStage;
  /** A message not extended within this time goes to another replica. Default 30 s. */
  ackWaitMs?: number;
  /** Deliveries of a stage's job before it is marked failed. Default 3. */
  maxDeliveries?: number;
  /** Minimum time between progress writes. Default 1 s. */
  progressMs?: number;
  logger?: Logger;
}

/** The options a stage's queue is opened with, by its host and by anything else that enqueues on it. */
export function stageQueueOptions(options: Pick<StageReactorOptions, "ackWaitMs" | "maxDeliveries">): {
  ackWaitMs: number;
  maxDeliveries: number;
} {
  return { ackWaitMs: options.ackWaitMs ?? 30_000, maxDeliveries: options.maxDeliveries ?? 3 };
}

export interface StageReactors {
  stop(options?: { graceMs?: number }): Promise<void>;
}

export async function startStageReactors(options: StageReactorOptions): Promise<StageReactors> {
  const { bus, stores } = options;
  const { names } = stores;
  const logger = (options.logger ?? silentLogger()).child({ component: "pipeline" });
  const { ackWaitMs } = stageQueueOptions(options);
  const progressMs = options.progressMs ?? 1000;
  const subscriptions: Subscription[] = [];
  const consumers: Consumer[] = [];

  for (const stage of options.stages) {
    const queue = await openStageQueue(bus, names, stage, stageQueueOptions(options));

    /**
     * Puts the stage's job on its queue when its run needs it and everything it needs has succeeded; a
     * manual run's stages wait for RunStage (pipeline-service.ts) instead.
     */
    const react = async (runId: string): Promise<void> => {
      const run = (await stores.runs.get(runId))?.value;
      const planned = run?.stages.find((s) => s.name === stage);
      if (run === undefined || planned === undefined || run.manual === true) return;
      if ((await stores.stages.get(stageJobId(runId, stage))) !== undefined) return;
      if ((await unfinishedUpstream(stores, run, planned.needs)).length > 0) return;
      const published = await enqueueStage(queue, runId, stage);
      if (!published.duplicate) logger.info({ run: runId, stage }, "stage submitted");
    };

    subscriptions.push(
      await bus.events.subscribe<RunEvent>(
        `${names.submitted.split(".")[0]}.>`,
        async (event) => {
          if (event.type !== names.submitted && event.type !== names.completed) return;
          await react(event.data.runId);
        },
        { group: names.group(stage), ackWaitMs },
      ),
    );

    consumers.push(
      consumeJobs(queue, {
        jobs: stores.stages,
        newJob: (message) => ({ spec: message.data, total: 0, unit: "steps" }),
        logger,
        // The stage is kept on this host while it lives, however long it takes; a dead host's goes on.
        heartbeatMs: Math.max(100, Math.floor(ackWaitMs / 3)),
        // A worker that died after storing the result but before announcing it: announce it now (same id).
        onSkipped: (record) => {
          if (record.state !== "succeeded") return;
          const event: RunEvent = { runId: record.spec.runId, stage };
          void bus.events
            .publish(names.completed, event, { id: `${record.jobId}.completed` })
            .catch((err: unknown) => logger.warn({ err, stage }, "stage completion not announced"));
        },
        handle: async (message: Job<StageJobSpec>, record) => {
          const { runId } = record.spec;
          // Running already, and this is not that job's redelivery: a duplicate message (see above).
          if (record.state === "running" && message.deliveryCount === 1) {
            logger.warn({ run: runId, stage }, "stage already running; duplicate message acked");
            return;
          }
          const run = (await stores.runs.get(runId))?.value;
          if (run === undefined) throw new Error(`run ${runId} has no record in ${names.runsBucket}`);
          const jobId = record.jobId;
          logger.info({ run: runId, stage, delivery: message.deliveryCount }, "stage started");
          await stores.stages.setProgress(jobId, { message: `running (delivery ${message.deliveryCount})` });
          let lastWrite = 0;
          let writes: Promise<unknown> = Promise.resolve();
          // The stage stops when its delivery is lost or its job is cancelled (CancelRun) meanwhile.
          const work = watchCancellation(stores.stages, jobId, message.signal);
          let summary: StageResult;
          try {
            summary = await options.runStage(run, stage, {
              signal: work.signal,
              progress(done, total, unit) {
                const now = Date.now();
                if (now - lastWrite < progressMs && done < total) return;
                lastWrite = now;
                writes = writes
                  .then(() =>
                    stores.stages.update(jobId, (r) =>
                      r.state !== "running"
                        ? undefined
                        : { ...r, progress: { ...r.progress, done, total, unit } },
                    ),
                  )
                  .catch((err: unknown) => logger.warn({ err, run: runId, stage }, "progress not written"));
              },
            });
          } catch (err) {
            // A cancelled stage's message is done with: acked, not retried (its record stays cancelled).
            if (work.cancelled()) {
              logger.info({ run: runId, stage }, "stage cancelled");
              return;
            }
            throw err;
          } finally {
            await work.close();
          }
          await writes;
          await stores.stages.succeed(jobId, summary);
          const event: RunEvent = { runId, stage };
          await bus.events.publish(names.completed, event, { id: `${jobId}.completed` });
          logger.info({ run: runId, stage }, "stage completed");
        },
        onFailed: (record, info) => {
          const event: RunEvent = { runId: record.spec.runId, stage };
          void bus.events
            .publish(names.failed, event, { id: `${record.jobId}.failed` })
            .catch((err: unknown) =>
              logger.warn({ err, reason: info.reason }, "stage failure not announced"),
            );
        },
      }),
    );
  }

  return {
    async stop(stopOptions = {}) {
      await Promise.all([
        ...subscriptions.map((s) => s.stop(stopOptions)),
        ...consumers.map((c) => c.stop(stopOptions)),
      ]);
    },
  };
}
