/**
 * A stage's worker loop over its work queue, with the job rules every stage shares:
 *   - a message whose job is final (succeeded, failed, cancelled) is acked without work;
 *   - the handler runs with the job's record; what it throws goes back to the bus, which retries it with
 *     backoff or, when the error is permanent (NonRetryableError, bad input) or the deliveries are used
 *     up, gives the message up;
 *   - on give-up (the bus's onGiveUp hook) the job is marked failed with the last error (or the bus's
 *     reason when the last delivery never settled) before the message is dead-lettered;
 *   - with `heartbeatMs`, the message's ack deadline is extended (working()) on that period while the
 *     handler runs, so one step longer than the ack wait (an LLM call, an epoch) is not handed to another
 *     replica while this one lives; a worker that dies stops extending it, and the message moves on after
 *     the ack wait. The handler's own calls need deadlines then: a hung one is no longer cut by the wait.
 * So no stage knows or copies the delivery limit or the keep-alive.
 */
import { NonRetryableError, type Consumer, type GiveUpInfo, type Job, type WorkQueue } from "@ferret/bus";
import { NotFoundError } from "@ferret/errors";
import { silentLogger, type Logger } from "@ferret/logging";
import { isFinal, type JobRecord } from "./job-record.js";
import type { JobStore, NewJob } from "./job-store.js";

export interface ConsumeJobsOptions<M, Spec, Result> {
  jobs: JobStore<Spec, Result>;
  /** The job a message belongs to. Default: the message's bus id. */
  jobIdOf?: (message: Job<M>) => string;
  /** Does the work of one message; throw to retry (or to give up, for a permanent error). */
  handle(message: Job<M>, record: JobRecord<Spec, Result>): Promise<void>;
  /**
   * For messages published without a record (another stage put them on the queue): the record to
   * create. Without it such a message is given up (NotFoundError).
   */
  newJob?: (message: Job<M>) => NewJob<Spec>;
  /** A message acked without work because its job was already final. */
  onSkipped?: (record: JobRecord<Spec, Result>, message: Job<M>) => void;
  /** The job was marked failed because a message of it was given up. */
  onFailed?: (record: JobRecord<Spec, Result>, info: GiveUpInfo) => void;
  /** Extend each message's ack deadline this often while it is handled. Default: only the handler does. */
  heartbeatMs?: number;
  /** Messages handled at once. Default 1. */
  concurrency?: number;
  logger?: Logger;
}

export function consumeJobs<M, Spec, Result>(
  queue: WorkQueue<M>,
  options: ConsumeJobsOptions<M, Spec, Result>,
): Consumer {
  const { jobs } = options;
  const jobIdOf = options.jobIdOf ?? ((message: Job<M>) => message.id);
  const logger = (options.logger ?? silentLogger()).child({ queue: queue.name, jobs: jobs.bucket });

  async function recordOf(message: Job<M>, jobId: string): Promise<JobRecord<Spec, Result>> {
    const record = await jobs.get(jobId);
    if (record !== undefined) return record;
    if (options.newJob === undefined) {
      throw new NonRetryableError(`no job "${jobId}" in ${jobs.bucket} for message ${message.id}`, {
        code: "NOT_FOUND",
      });
    }
    return (await jobs.create(jobId, options.newJob(message))).record;
  }

  return queue.consume(
    async (message) => {
      const jobId = jobIdOf(message);
      const record = await recordOf(message, jobId);
      if (isFinal(record.state)) {
        logger.info({ job: jobId, state: record.state, message: message.id }, "job is final; acking");
        options.onSkipped?.(record, message);
        return;
      }
      const { heartbeatMs } = options;
      const heartbeat =
        heartbeatMs === undefined ? undefined : setInterval(() => message.working(), heartbeatMs);
      try {
        await options.handle(message, record);
      } finally {
        clearInterval(heartbeat);
      }
    },
    {
      concurrency: options.concurrency ?? 1,
      onGiveUp: async (message, info) => {
        const jobId = jobIdOf(message);
        const cause = info.error ?? new Error(info.reason);
        try {
          const before = await jobs.get(jobId);
          if (before === undefined || isFinal(before.state)) return;
          const record = await jobs.fail(jobId, cause, { deliveries: info.deliveryCount });
          if (record.state !== "failed") return; // another message ended it first
          logger.error({ job: jobId, err: cause, deliveries: info.deliveryCount }, "job failed");
          options.onFailed?.(record, info);
        } catch (err) {
          if (err instanceof NotFoundError) return; // deleted meanwhile: nothing to mark
          throw err;
        }
      },
    },
  );
}
