/**
 * bench/annotate: relevance-labelling throughput through Ferret (job split into batches on the work
 * queue, worker, outcome cache, create-if-absent label store, validation) against calling the same
 * OpenAI-compatible server directly (fetch + JSON.parse of the reply) at the same concurrency.
 * Goal: Ferret >= 0.9x direct. Server: the fixed-latency test double by default, or any
 * OpenAI-compatible server with --llm-base-url/--llm-model (vLLM, llama.cpp server, Ollama...).
 *
 * Usage: bench/annotate/run.sh [--items N] [--concurrency C] [--latency-ms L] [--reps R] [--nats URL]
 *                              [--llm-base-url URL --llm-model NAME]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import {
  Annotator,
  CallLimiter,
  OpenAiBackend,
  destroyJobStore,
  getJob,
  jobProgress,
  openJobStore,
  relevanceTask,
  startAnnotationWorker,
  submitJob,
  type WorkItem,
} from "@ferret/annotator";
import { createBus, type Bus } from "@ferret/bus";
import { readBeirCorpus, readBeirQueries, type DocumentRecord, type QueryRecord } from "@ferret/datasets";
import { startFixedLatencyServer } from "./fixed-latency-llm-server.js";

const { values } = parseArgs({
  options: {
    items: { type: "string", default: "800" },
    concurrency: { type: "string", default: "16" },
    "latency-ms": { type: "string", default: "50" },
    reps: { type: "string", default: "3" },
    nats: { type: "string" },
    "llm-base-url": { type: "string" },
    "llm-model": { type: "string", default: "bench-model" },
  },
});
const N = Number(values.items);
const C = Number(values.concurrency);
const REPS = Number(values.reps);

async function loadItems(): Promise<WorkItem[]> {
  // run.sh runs from the repository root
  const docs: DocumentRecord[] = [];
  for await (const d of readBeirCorpus(join(process.cwd(), "examples/mini/corpus.jsonl"))) docs.push(d);
  const queries: QueryRecord[] = [];
  for await (const q of readBeirQueries(join(process.cwd(), "examples/mini/queries.jsonl"))) queries.push(q);
  return Array.from({ length: N }, (_, i) => {
    const q = queries[i % queries.length]!;
    const d = docs[Math.floor(i / queries.length) % docs.length]!;
    return {
      kind: "relevance",
      query: { id: q.id, text: q.text },
      passage: { id: d.id, title: d.title, text: d.text },
    };
  });
}

async function direct(baseUrl: string, model: string, items: WorkItem[]): Promise<number> {
  let next = 0;
  let ok = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        if (item.kind !== "relevance") continue;
        const res = await fetch(`${baseUrl}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            model,
            messages: relevanceTask.messages({ query: item.query, passage: item.passage }),
            temperature: 0,
            max_tokens: relevanceTask.maxTokens,
            stream: false,
            response_format: {
              type: "json_schema",
              json_schema: { name: relevanceTask.schemaName, schema: relevanceTask.schema, strict: true },
            },
          }),
        });
        const body = (await res.json()) as { choices: { message: { content: string } }[] };
        if (typeof (JSON.parse(body.choices[0]!.message.content) as { grade: number }).grade === "number")
          ok++;
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  if (ok !== items.length) throw new Error(`direct: ${ok} of ${items.length} ok`);
  return items.length / s;
}

async function ferret(
  bus: Bus,
  baseUrl: string,
  model: string,
  items: WorkItem[],
  rep: number,
): Promise<number> {
  const store = await openJobStore(bus, { prefix: `bench-${Date.now().toString(36)}-${rep}` });
  const annotator = new Annotator({
    backend: new OpenAiBackend({ baseUrl, model }),
    cache: store.cache,
    limiter: new CallLimiter({ concurrency: C }),
  });
  const t0 = performance.now();
  await submitJob(store, { jobId: "bench", kind: "relevance", items, batchSize: 8 });
  // enough batches in flight to keep C calls busy; the limiter caps calls at C
  const worker = startAnnotationWorker(store, annotator, {
    batchConcurrency: Math.ceil(C / 8) + 1,
    itemConcurrency: 8,
  });
  while ((await getJob(store, "bench")).state !== "succeeded") await new Promise((r) => setTimeout(r, 5));
  const s = (performance.now() - t0) / 1000;
  await worker.stop();
  const p = await jobProgress(store, "bench");
  if (p.labelsOk !== items.length || p.llmCalls !== items.length)
    throw new Error(`ferret: ${JSON.stringify(p)}`);
  await destroyJobStore(store);
  return items.length / s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const items = await loadItems();
const latency = Number(values["latency-ms"]);
const server = values["llm-base-url"] ? undefined : await startFixedLatencyServer(latency);
const baseUrl = values["llm-base-url"] ?? server!.baseUrl;
const model = values["llm-model"]!;
const dir = await mkdtemp(join(tmpdir(), "bench-annotate-"));
const buses: [string, Bus][] = [["memory", await createBus({ kind: "memory", dir })]];
if (values.nats)
  buses.push(["nats", await createBus({ kind: "nats", url: values.nats, name: "bench-annotate" })]);

console.log(
  `items ${N}, concurrency ${C}, server ${server ? `fixed-latency test double, ${latency} ms/call` : baseUrl}, reps ${REPS}`,
);
await direct(baseUrl, model, items.slice(0, C * 4)); // warm up connections and JIT
const results: Record<string, number[]> = { direct: [] };
for (const [name] of buses) results[`ferret-${name}`] = [];
for (let rep = 0; rep < REPS; rep++) {
  results.direct!.push(await direct(baseUrl, model, items));
  for (const [name, bus] of buses)
    results[`ferret-${name}`]!.push(await ferret(bus, baseUrl, model, items, rep));
}
const base = median(results.direct!);
for (const [name, xs] of Object.entries(results)) {
  console.log(
    `${name.padEnd(14)} ${median(xs).toFixed(1).padStart(8)} items/s (median of ${xs.map((x) => x.toFixed(1)).join(", ")})  ratio ${(median(xs) / base).toFixed(3)}`,
  );
}
for (const [, bus] of buses) await bus.close();
await server?.close();
await rm(dir, { recursive: true, force: true });
