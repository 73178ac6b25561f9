// A worker process for the "killed mid-job" contract case on NATS. It uses the BUILT package
// (dist/, via the package name), like a deployed service would: takes one job, records its effect
// in KV (create-if-absent keyed by job id), tells the parent, then hangs without acking until the
// parent kills it with SIGKILL.
import { createBus } from "@ferret/bus";

const { NATS_URL, QUEUE, QUEUE_OPTIONS, EFFECTS_BUCKET } = process.env;
const bus = await createBus({ kind: "nats", url: NATS_URL, name: "doomed-worker" });
const queue = await bus.queue(QUEUE, JSON.parse(QUEUE_OPTIONS));
const effects = await bus.kv(EFFECTS_BUCKET);
queue.consume(async (job) => {
  try {
    await effects.create(`effect.${job.id}`, {
      by: "doomed-worker",
      pid: process.pid,
      deliveryCount: job.deliveryCount,
    });
  } catch (err) {
    if (err?.code !== "ALREADY_EXISTS") throw err;
  }
  process.send({ type: "effect", id: job.id });
  await new Promise(() => {});
});
process.send({ type: "ready" });
