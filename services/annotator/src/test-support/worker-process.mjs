// A worker replica in its own process, for the "worker killed mid-job" test: it uses the BUILT package
// (dist/, via the package name) like a deployed annotator, consumes annotation batches from NATS and
// reports each stored batch and each LLM reply to the parent, which kills it with SIGKILL mid-job.
import { createBus } from "@ferret/bus";
import {
  Annotator,
  CallLimiter,
  OpenAiBackend,
  openAnnotationStore,
  startAnnotationWorker,
} from "@ferret/annotator";

const { NATS_URL, PREFIX, LLM_URL } = process.env;
const bus = await createBus({ kind: "nats", url: NATS_URL, name: "annotator-doomed-worker" });
const store = await openAnnotationStore(bus, { prefix: PREFIX, ackWaitMs: 2000 });
const ledger = store.ledger.kv;
const origCreate = ledger.create.bind(ledger);
ledger.create = async (key, value) => {
  const revision = await origCreate(key, value);
  process.send({ type: "batch", key, items: value.labels.length });
  return revision;
};
const origPut = store.cache.put.bind(store.cache);
store.cache.put = async (key, outcome) => {
  await origPut(key, outcome);
  process.send({ type: "answer", key });
};
const annotator = new Annotator({
  backend: new OpenAiBackend({ baseUrl: LLM_URL, model: "fault-model" }),
  cache: store.cache,
  limiter: new CallLimiter({ concurrency: 2 }),
});
startAnnotationWorker(store, annotator, { itemConcurrency: 2, batchConcurrency: 1 });
process.send({ type: "ready" });
