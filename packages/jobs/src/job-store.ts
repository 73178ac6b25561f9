/**
 * A stage's job records on the bus (one KV bucket; key = job id): creation with create-if-absent, every
 * later change a compare-and-set on the entry's revision (retried on conflict), legal transitions only,
 * and a final state kept for good. The convenience methods (start, setProgress, countBatch, succeed,
 * fail, cancel) return the record as it is after the call; on a job already final they change nothing
 * and return it as it is, so a late or repeated call from a redelivered message is harmless.
 */
import type { Bus, KvStore } from "@ferret/bus";
import { AlreadyExistsError, ConflictError, NotFoundError } from "@ferret/errors";
import { hasBatch, withBatch } from "./batch-bitmap.js";
import { checkJobId } from "./job-id.js";
import { jobErrorOf, messageOf } from "./job-error.js";
import { canTransition, isFinal, type JobProgress, type JobRecord } from "./job-record.js";
import { watchRecord } from "./watch-job.js";

export interface JobStoreOptions {
  /** KV bucket of the records ([A-Za-z0-9_-]). */
  bucket: string;
  /** Written into each record created here. */
  kind: string;
}

export interface NewJob<Spec> {
  spec: Spec;
  /** Units of work (batches, queries...). Default 0 (not known yet). */
  total?: number;
  /** Default "batches". */
  unit?: string;
}

export interface CreatedJob<Spec, Result> {
  record: JobRecord<Spec, Result>;
  /** False when a record with this id was already there (it is returned unchanged). */
  created: boolean;
}

/** Progress a stage sets itself (countBatch sets done and counts for batched jobs). */
export type ProgressFields = Partial<Pick<JobProgress, "done" | "total" | "message">>;

/** Compare-and-set attempts before giving up with a ConflictError (each sees a newer revision). */
const CAS_ATTEMPTS = 100;

export class JobStore<Spec = unknown, Result = unknown> {
  private constructor(
    readonly kv: KvStore<JobRecord<Spec, Result>>,
    readonly kind: string,
  ) {}

  static async open<Spec = unknown, Result = unknown>(
    bus: Bus,
    options: JobStoreOptions,
  ): Promise<JobStore<Spec, Result>> {
    return new JobStore(await bus.kv<JobRecord<Spec, Result>>(options.bucket), options.kind);
  }

  get bucket(): string {
    return this.kv.bucket;
  }

  /** Creates the record as "queued" unless one exists (then returns it: created false). */
  async create(jobId: string, job: NewJob<Spec>): Promise<CreatedJob<Spec, Result>> {
    checkJobId(jobId);
    const now = new Date().toISOString();
    const record: JobRecord<Spec, Result> = {
      jobId,
      kind: this.kind,
      state: "queued",
      spec: job.spec,
      progress: { done: 0, total: job.total ?? 0, unit: job.unit ?? "batches", counts: {} },
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.kv.create(jobId, record);
      return { record, created: true };
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      return { record: await this.require(jobId), created: false };
    }
  }

  async get(jobId: string): Promise<JobRecord<Spec, Result> | undefined> {
    return (await this.kv.get(jobId))?.value;
  }

  /** The record, or NotFoundError. */
  async require(jobId: string): Promise<JobRecord<Spec, Result>> {
    const record = await this.get(jobId);
    if (record === undefined) throw new NotFoundError(`no job "${jobId}" in ${this.bucket}`);
    return record;
  }

  /**
   * Compare-and-set: `change` gets the current record and returns the next one (or undefined to leave
   * it); retried on a conflicting write. ConflictError for a transition canTransition() refuses,
   * NotFoundError when there is no record.
   */
  async update(
    jobId: string,
    change: (current: JobRecord<Spec, Result>) => JobRecord<Spec, Result> | undefined,
  ): Promise<JobRecord<Spec, Result>> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await this.kv.get(jobId);
      if (entry === undefined) throw new NotFoundError(`no job "${jobId}" in ${this.bucket}`);
      const next = change(entry.value);
      if (next === undefined) return entry.value;
      if (!canTransition(entry.value.state, next.state)) {
        throw new ConflictError(`job "${jobId}" is ${entry.value.state}; it cannot become ${next.state}`);
      }
      const written = { ...next, updatedAt: new Date().toISOString() };
      try {
        await this.kv.update(jobId, written, entry.revision);
        return written;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    throw new ConflictError(`job "${jobId}" kept changing for ${CAS_ATTEMPTS} attempts`);
  }

  /** queued -> running. */
  start(jobId: string, message?: string): Promise<JobRecord<Spec, Result>> {
    return this.update(jobId, (r) =>
      r.state !== "queued"
        ? undefined
        : { ...r, state: "running", progress: withMessage(r.progress, message) },
    );
  }

  /** Sets progress fields the stage reports itself (moving a queued job to running). */
  setProgress(jobId: string, progress: ProgressFields): Promise<JobRecord<Spec, Result>> {
    return this.update(jobId, (r) =>
      isFinal(r.state) ? undefined : { ...r, state: "running", progress: { ...r.progress, ...progress } },
    );
  }

  /**
   * Adds batch `batch` to the job's progress exactly once however often it is called: done + 1 and
   * `counts` added to progress.counts, unless the batch is already counted or the job is final.
   */
  countBatch(
    jobId: string,
    batch: number,
    counts: Record<string, number> = {},
  ): Promise<JobRecord<Spec, Result>> {
    return this.update(jobId, (r) => {
      if (isFinal(r.state) || hasBatch(r.counted, batch)) return undefined;
      const sums = { ...r.progress.counts };
      for (const [name, n] of Object.entries(counts)) sums[name] = (sums[name] ?? 0) + n;
      return {
        ...r,
        state: "running",
        progress: { ...r.progress, done: r.progress.done + 1, counts: sums },
        counted: withBatch(r.counted, batch),
      };
    });
  }

  /** Marks the job succeeded with its result (and last progress fields, if given). */
  succeed(jobId: string, result: Result, progress: ProgressFields = {}): Promise<JobRecord<Spec, Result>> {
    return this.update(jobId, (r) =>
      isFinal(r.state)
        ? undefined
        : { ...r, state: "succeeded", result, progress: { ...r.progress, ...progress } },
    );
  }

  /** Marks the job failed with the error's code (INTERNAL unless a FerretError) and message. */
  fail(
    jobId: string,
    error: unknown,
    options: { deliveries?: number } = {},
  ): Promise<JobRecord<Spec, Result>> {
    const jobError = jobErrorOf(error, options.deliveries);
    return this.update(jobId, (r) =>
      isFinal(r.state)
        ? undefined
        : { ...r, state: "failed", error: jobError, progress: withMessage(r.progress, messageOf(error)) },
    );
  }

  /** Marks the job cancelled: workers skip its remaining messages, watchers see it end. */
  cancel(jobId: string, reason?: string): Promise<JobRecord<Spec, Result>> {
    return this.update(jobId, (r) =>
      isFinal(r.state)
        ? undefined
        : {
            ...r,
            state: "cancelled",
            ...(reason === undefined ? {} : { error: { code: "CANCELLED", message: reason } }),
          },
    );
  }

  /** The record now and after each change, until a final one; see watch-job.ts. */
  watch(jobId: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<JobRecord<Spec, Result>> {
    return watchRecord(this.kv, jobId, options.signal);
  }

  /** Deletes the record (cleanup of a finished job's state; watchers get NotFoundError). */
  async remove(jobId: string): Promise<void> {
    await this.kv.delete(jobId);
  }
}

function withMessage(progress: JobProgress, message: string | undefined): JobProgress {
  return message === undefined ? progress : { ...progress, message };
}
