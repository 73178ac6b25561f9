// A ranker scoring worker in its own process, for the "worker killed mid-job" test on NATS. It uses the
// BUILT package (dist/, via the package name) as a deployed ranker would: the real score worker and the real
// tiny cross-encoder. Its scorer reports each batch it scores to the parent and, on batch number HANG_ON
// (1-based, counted in this process), hangs after scoring and before the worker can record the result, until
// the parent kills it with SIGKILL.
import { createBus } from "@ferret/bus";
import { CrossEncoderScorer, startScoreWorker } from "@ferret/ranker";

const { NATS_URL, EVENTS, NAMES, QUEUE_OPTIONS, MODEL_DIR, HANG_ON } = process.env;
const bus = await createBus({
  kind: "nats",
  url: NATS_URL,
  name: "score-job-child",
  events: JSON.parse(EVENTS),
});
const real = await CrossEncoderScorer.load(MODEL_DIR, { intraOpNumThreads: 1 });
let calls = 0;
const doomed = {
  name: real.name,
  async score(pairs, options) {
    const scores = await real.score(pairs, options);
    calls++;
    if (calls === Number(HANG_ON)) {
      process.send({ type: "hanging", first: pairs[0] });
      await new Promise(() => {});
    }
    process.send({ type: "scored", first: pairs[0] });
    return scores;
  },
  close: () => real.close(),
};
await startScoreWorker({
  bus,
  scorers: async () => doomed,
  names: JSON.parse(NAMES),
  queueOptions: JSON.parse(QUEUE_OPTIONS),
});
process.send({ type: "ready", pid: process.pid });
