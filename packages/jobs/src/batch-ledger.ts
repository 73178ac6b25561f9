/**
 * Exactly-once batch outputs on an at-least-once queue: one KV entry per batch (`<job>.<batch>`), written
 * with create-if-absent. A delivery that finds its batch recorded does not redo it; two deliveries racing
 * (an ack-wait expiry) both compute, the first write wins and the second keeps the first's output.
 */
import type { Bus, KvStore } from "@ferret/bus";
import { AlreadyExistsError, NotFoundError } from "@ferret/errors";

export interface RecordedBatch<Output> {
  output: Output;
  /** False when another delivery had recorded the batch first (`output` is then the first one's). */
  recorded: boolean;
}

export class BatchLedger<Output> {
  private constructor(readonly kv: KvStore<Output>) {}

  /** Opens (creating idempotently) the ledger's KV bucket. */
  static async open<Output>(bus: Bus, bucket: string): Promise<BatchLedger<Output>> {
    return new BatchLedger(await bus.kv<Output>(bucket));
  }

  static key(jobId: string, batch: number): string {
    return `${jobId}.${batch}`;
  }

  async get(jobId: string, batch: number): Promise<Output | undefined> {
    return (await this.kv.get(BatchLedger.key(jobId, batch)))?.value;
  }

  /** Records the batch's output unless it is recorded already. */
  async record(jobId: string, batch: number, output: Output): Promise<RecordedBatch<Output>> {
    try {
      await this.kv.create(BatchLedger.key(jobId, batch), output);
      return { output, recorded: true };
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      const first = await this.get(jobId, batch);
      if (first === undefined) throw err; // deleted in between: let the delivery retry
      return { output: first, recorded: false };
    }
  }

  /** How many batches of the job are recorded. */
  async count(jobId: string): Promise<number> {
    return (await this.kv.keys(`${jobId}.*`)).length;
  }

  /** Outputs of batches 0..batches-1 in order; NotFoundError naming the first one not recorded. */
  async all(jobId: string, batches: number): Promise<Output[]> {
    const outputs: Output[] = [];
    for (let batch = 0; batch < batches; batch++) {
      const output = await this.get(jobId, batch);
      if (output === undefined) {
        throw new NotFoundError(`job "${jobId}": batch ${batch} of ${batches} not recorded yet`);
      }
      outputs.push(output);
    }
    return outputs;
  }

  /** Deletes every recorded batch of the job. */
  async clear(jobId: string): Promise<void> {
    for (const key of await this.kv.keys(`${jobId}.*`)) await this.kv.delete(key);
  }
}
