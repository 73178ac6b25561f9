/**
 * Removes what a cluster test left on the shared dev NATS server: its run and stage KV buckets, its stages'
 * work queues and its own events stream (tests use a stream of their own, as others delete theirs).
 */
import type { Bus } from "@ferret/bus";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { pipelineNames } from "../pipeline-run.js";

export async function destroyPipelineState(
  bus: Bus,
  options: { url: string; prefix: string; stages: readonly string[]; eventsStream: string },
): Promise<void> {
  const names = pipelineNames(options.prefix);
  await (await bus.kv(names.runsBucket)).destroy();
  await (await bus.kv(names.stagesBucket)).destroy();
  for (const s of options.stages) await (await bus.queue(names.queue(s))).destroy();
  const nc = await connect({ servers: options.url });
  try {
    await (await jetstreamManager(nc)).streams.delete(options.eventsStream).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
