/** The job records and shard ledger of sharded indexing jobs, named by ShardJobNames. */
import type { Bus } from "@ferret/bus";
import { BatchLedger, JobStore } from "@ferret/jobs";
import type { IndexJobSpec, IndexResult } from "./job-record.js";
import type { ShardJobNames, ShardRecord } from "./shard-job.js";

export const INDEX_JOB_KIND = "encode.index";

export interface IndexJobStores {
  jobs: JobStore<IndexJobSpec, IndexResult>;
  /** `<job>.<shard>` -> the shard's vectors (ShardRecord), written create-if-absent. */
  shards: BatchLedger<ShardRecord>;
}

export async function openIndexJobStores(bus: Bus, names: ShardJobNames): Promise<IndexJobStores> {
  const [jobs, shards] = await Promise.all([
    JobStore.open<IndexJobSpec, IndexResult>(bus, { bucket: names.jobsBucket, kind: INDEX_JOB_KIND }),
    BatchLedger.open<ShardRecord>(bus, names.recordsBucket),
  ]);
  return { jobs, shards };
}
