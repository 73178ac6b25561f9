/**
 * Splits a corpus into shards as it streams: each shard's documents go to the object store as soon as the
 * shard is full, so the coordinator holds one shard of text at a time (plus the set of ids, to refuse
 * duplicates), whatever the corpus size. Returns what the plan records per shard.
 */
import type { ObjectStore } from "@ferret/bus";
import type { DocumentRecord } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import { documentText } from "../dense-retriever.js";
import { idsDigest, type ShardPlan } from "./job-record.js";
import { encodeShardInput, shardInputName } from "./shard-job.js";

export async function planShards(
  docs: Iterable<DocumentRecord> | AsyncIterable<DocumentRecord>,
  o: { jobId: string; shardSize: number; objects: ObjectStore; source: string; signal?: AbortSignal },
): Promise<ShardPlan[]> {
  const seen = new Set<string>();
  const plans: ShardPlan[] = [];
  let shard: [string, string][] = [];
  const flush = async (): Promise<void> => {
    if (shard.length === 0) return;
    const input = shardInputName(o.jobId, plans.length);
    const info = await o.objects.put(input, encodeShardInput(shard), { metadata: { job: o.jobId } });
    plans.push({
      input,
      inputSha256: info.sha256,
      documents: shard.length,
      idsSha256: idsDigest(shard.map((d) => d[0])),
    });
    shard = [];
  };
  for await (const doc of docs) {
    if (seen.has(doc.id)) {
      throw new InputError(
        { file: o.source, line: seen.size + 1, field: "_id" },
        `duplicate document id "${doc.id}"`,
      );
    }
    seen.add(doc.id);
    shard.push([doc.id, documentText(doc)]);
    if (shard.length === o.shardSize) {
      o.signal?.throwIfAborted();
      await flush();
    }
  }
  await flush();
  return plans;
}
