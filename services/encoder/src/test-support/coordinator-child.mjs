// An IndexCorpus coordinator in its own process, for the "coordinator killed mid-job" test on NATS. It runs
// the BUILT package's runIndexCorpusJob (as a deployed encoder's IndexCorpus handler does) with no shard
// worker of its own, reports each progress message to the parent, and is SIGKILLed by the parent once the
// job is planned and queued.
import { createBus } from "@ferret/bus";
import { runIndexCorpusJob } from "@ferret/encoder";

const { NATS_URL, EVENTS, NAMES, QUEUE_OPTIONS, JOB } = process.env;
const bus = await createBus({
  kind: "nats",
  url: NATS_URL,
  name: "coordinator-child",
  events: JSON.parse(EVENTS),
});
for await (const progress of runIndexCorpusJob({
  ...JSON.parse(JOB),
  bus,
  names: JSON.parse(NAMES),
  queueOptions: JSON.parse(QUEUE_OPTIONS),
})) {
  process.send({ type: "progress", progress });
}
process.send({ type: "done" });
