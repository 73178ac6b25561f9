// A worker replica in its own process, for the "worker killed mid-job" test: it uses the BUILT package
// (dist/, via the package name) like a deployed annotator, consumes annotation batches from NATS and
// reports each stored label to the parent, which kills it with SIGKILL mid-job.
import { createBus } from "@ferret/bus";
import {
  Annotator,
  CallLimiter,
  OpenAiBackend,
  openJobStore,
  startAnnotationWorker,
} from "@ferret/annotator";

const { NATS_URL, PREFIX, LLM_URL } = process.env;
const bus = await createBus({ kind: "nats", url: NATS_URL, name: "annotator-doomed-worker" });
const store = await openJobStore(bus, { prefix: PREFIX, ackWaitMs: 2000 });
const origCreate = store.labels.create.bind(store.labels);
store.labels.create = async (key, value) => {
  const revision = await origCreate(key, value);
  process.send({ type: "label", key });
  return revision;
};
const annotator = new Annotator({
  backend: new OpenAiBackend({ baseUrl: LLM_URL, model: "fault-model" }),
  cache: store.cache,
  limiter: new CallLimiter({ concurrency: 2 }),
});
startAnnotationWorker(store, annotator, { itemConcurrency: 2, batchConcurrency: 1, workerName: "doomed" });
process.send({ type: "ready" });
