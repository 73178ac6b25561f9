// An encoder shard worker in its own process, for the "replica killed mid-shard" test on NATS. It uses the
// BUILT package (dist/, via the package name) as a deployed encoder would: the real shard worker and the
// real tiny bi-encoder. Its encoder, on its HANG_ON-th embed call (one call per shard), hangs after encoding
// and before the worker can record the shard, until the parent kills it with SIGKILL.
import { createBus } from "@ferret/bus";
import { startShardWorker } from "@ferret/encoder";
import { BiEncoder } from "@ferret/inference";

const { NATS_URL, EVENTS, NAMES, QUEUE_OPTIONS, MODEL_DIR, HANG_ON } = process.env;
const bus = await createBus({
  kind: "nats",
  url: NATS_URL,
  name: "shard-worker-child",
  events: JSON.parse(EVENTS),
});
const real = await BiEncoder.load(MODEL_DIR, { intraOpNumThreads: 1 });
const doomed = Object.create(real);
let calls = 0;
doomed.embedMatrix = async (texts, role) => {
  const vectors = await real.embedMatrix(texts, role);
  calls++;
  if (calls === Number(HANG_ON)) {
    process.send({ type: "hanging" });
    await new Promise(() => {});
  }
  return vectors;
};
await startShardWorker({
  bus,
  encoders: async () => doomed,
  names: JSON.parse(NAMES),
  queueOptions: JSON.parse(QUEUE_OPTIONS),
  worker: "doomed-child",
});
process.send({ type: "ready", pid: process.pid });
