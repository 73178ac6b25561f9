/**
 * Names for one NATS test run (queue, buckets and events stream all carry a run id, so parallel runs and
 * other suites on the same server never meet) and their removal afterwards. Tests use the real server at
 * $NATS_URL (default nats://127.0.0.1:4222) and fail, never skip, without it.
 */
import type { Bus } from "@ferret/bus";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { ShardJobNames } from "../sharding/shard-job.js";

export const NATS_URL = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";

export interface NatsTestState {
  runId: string;
  names: ShardJobNames;
  events: { stream: string; prefix: string };
}

export function natsTestState(): NatsTestState {
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    runId,
    names: {
      queue: `encoder-shards-${runId}`,
      recordsBucket: `encoder-shards-${runId}`,
      objectsBucket: `encoder-shards-${runId}`,
      jobsBucket: `encoder-jobs-${runId}`,
      indexesBucket: `encoder-indexes-${runId}`,
    },
    events: { stream: `FERRET_TEST_EVENTS_${runId}`, prefix: `ferret.test.${runId}` },
  };
}

/** Deletes the run's queue, buckets (plus `extraObjectBuckets`) and events stream, then closes the bus. */
export async function destroyNatsTestState(
  bus: Bus,
  { names, events }: NatsTestState,
  extraObjectBuckets: string[] = [],
): Promise<void> {
  await (await bus.queue(names.queue)).destroy();
  await (await bus.kv(names.recordsBucket)).destroy();
  await (await bus.objects(names.objectsBucket)).destroy();
  await (await bus.kv(names.jobsBucket)).destroy();
  await (await bus.objects(names.indexesBucket)).destroy();
  for (const bucket of extraObjectBuckets) await (await bus.objects(bucket)).destroy();
  await bus.close({ graceMs: 0 });
  const nc = await connect({ servers: NATS_URL });
  try {
    // a run that published no event never created its stream
    await (await jetstreamManager(nc)).streams.delete(events.stream).catch((err: unknown) => {
      if (!(err instanceof Error && err.message === "stream not found")) throw err;
    });
  } finally {
    await nc.close();
  }
}
