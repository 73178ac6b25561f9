/**
 * One annotator worker replica in its own process, for bench/annotate's replicas arm (--replicas R):
 * it consumes the batches of one job store from NATS with its own LLM limiter, as a deployed replica
 * does. run.sh bundles it beside bench.ts; bench.ts forks R of them per rep and stops them after.
 * argv: nats URL, store prefix, LLM base URL, model, LLM concurrency, batch size.
 */
import {
  Annotator,
  CallLimiter,
  OpenAiBackend,
  openAnnotationStore,
  startAnnotationWorker,
} from "@ferret/annotator";
import { createBus } from "@ferret/bus";

const [natsUrl, prefix, baseUrl, model, concurrency, batchSize] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const bus = await createBus({ kind: "nats", url: natsUrl, name: "bench-annotate-replica" });
const store = await openAnnotationStore(bus, { prefix });
const annotator = new Annotator({
  backend: new OpenAiBackend({ baseUrl, model }),
  cache: store.cache,
  limiter: new CallLimiter({ concurrency: Number(concurrency) }),
});
const worker = startAnnotationWorker(store, annotator, {
  batchConcurrency: Math.ceil(Number(concurrency) / Number(batchSize)) + 1,
  itemConcurrency: Number(batchSize),
});
process.send?.("ready");
process.on("disconnect", () => {
  void worker
    .stop()
    .then(() => bus.close())
    .finally(() => process.exit(0));
});
