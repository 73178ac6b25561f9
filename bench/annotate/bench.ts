/**
 * bench/annotate: relevance-labelling throughput through Ferret (job split into batches on the work
 * queue, worker, outcome cache, label store, validation) against calling the same OpenAI-compatible
 * server directly (fetch + JSON.parse of the reply) at the same concurrency, side by side in one run.
 * Goal: Ferret >= 0.9x direct. Server: the fixed-latency test double (test-double-llm-server.ts, forked
 * into its own process) by default, or any OpenAI-compatible server with --llm-base-url/--llm-model.
 * Each arm also reports CPU time per item (user + system) of this process (the client: Ferret, or the
 * direct loop), of the test-double server and, given --nats-server-pid, of the NATS server, so the
 * difference between arms is Ferret's overhead in CPU, whatever the machine's load.
 *
 * Usage: bench/annotate/run.sh [--items N] [--concurrency C] [--latency-ms L[,L2,...]] [--reps R]
 *                              [--batch-size B] [--nats URL [--nats-server-pid PID] [--replicas R]]
 *                              [--arms A,B]
 *                              [--llm-base-url URL --llm-model NAME]
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import {
  Annotator,
  CallLimiter,
  OpenAiBackend,
  destroyAnnotationStore,
  jobProgress,
  openAnnotationStore,
  relevanceTask,
  type AnnotationStore,
  startAnnotationWorker,
  submitJob,
  type WorkItem,
} from "@ferret/annotator";
import { createBus, type Bus } from "@ferret/bus";
import { readBeirCorpus, readBeirQueries, type DocumentRecord, type QueryRecord } from "@ferret/datasets";

const { values } = parseArgs({
  options: {
    items: { type: "string", default: "800" },
    concurrency: { type: "string", default: "16" },
    "latency-ms": { type: "string", default: "50" },
    "batch-size": { type: "string", default: "16" },
    /** Also report this process's CPU per item (Linux /proc), e.g. $(pgrep -x nats-server). */
    "nats-server-pid": { type: "string" },
    /** Also an arm with R worker replicas in their own processes on NATS (LLM concurrency C/R each). */
    replicas: { type: "string", default: "0" },
    /** Only these arms (comma-separated: direct, ferret-memory, ferret-nats), e.g. for a --cpu-prof run. */
    arms: { type: "string", default: "direct,ferret-memory,ferret-nats" },
    reps: { type: "string", default: "3" },
    nats: { type: "string" },
    "llm-base-url": { type: "string" },
    "llm-model": { type: "string", default: "bench-model" },
  },
});
const N = Number(values.items);
const C = Number(values.concurrency);
const REPS = Number(values.reps);
const BATCH = Number(values["batch-size"]);
const ARMS = new Set(values.arms!.split(","));
const REPLICAS = Number(values.replicas);

interface Measured {
  itemsPerSecond: number;
  /** CPU time of this process per item, microseconds. */
  cpuUsPerItem: number;
  /** ... of the test-double server process and of the NATS server (when its pid is given). */
  serverCpuUsPerItem: number;
  natsCpuUsPerItem: number;
}

/** utime + stime of a process in microseconds (Linux /proc), NaN elsewhere. */
function processCpuUs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // clock ticks of 1/100 s
  } catch {
    return Number.NaN;
  }
}

let serverPid: number | undefined;
const natsPid = values["nats-server-pid"] ? Number(values["nats-server-pid"]) : undefined;

interface Start {
  t0: number;
  cpu0: NodeJS.CpuUsage;
  server0: number;
  nats0: number;
}

function start(): Start {
  return {
    t0: performance.now(),
    cpu0: process.cpuUsage(),
    server0: processCpuUs(serverPid),
    nats0: processCpuUs(natsPid),
  };
}

function measure(items: number, s0: Start): Measured {
  const s = (performance.now() - s0.t0) / 1000;
  const cpu = process.cpuUsage(s0.cpu0);
  return {
    itemsPerSecond: items / s,
    cpuUsPerItem: (cpu.user + cpu.system) / items,
    serverCpuUsPerItem: (processCpuUs(serverPid) - s0.server0) / items,
    natsCpuUsPerItem: (processCpuUs(natsPid) - s0.nats0) / items,
  };
}

/** Forks the test-double server (bundled beside this file by run.sh) and waits for its URL. */
async function startTestDoubleServer(latencyMs: number): Promise<{ baseUrl: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL("./annotate-llm-server.mjs", import.meta.url));
  const child = fork(script, [String(latencyMs)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const [message] = (await once(child, "message")) as [{ baseUrl: string }];
  return { baseUrl: message.baseUrl, child };
}

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

async function direct(baseUrl: string, model: string, items: WorkItem[]): Promise<Measured> {
  let next = 0;
  let ok = 0;
  const s0 = start();
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
  const m = measure(items.length, s0);
  if (ok !== items.length) throw new Error(`direct: ${ok} of ${items.length} ok`);
  return m;
}

async function ferret(
  bus: Bus,
  baseUrl: string,
  model: string,
  items: WorkItem[],
  rep: number,
): Promise<Measured> {
  const store = await openAnnotationStore(bus, { prefix: `bench-${Date.now().toString(36)}-${rep}` });
  const annotator = new Annotator({
    backend: new OpenAiBackend({ baseUrl, model }),
    cache: store.cache,
    limiter: new CallLimiter({ concurrency: C }),
  });
  // The end is seen through a KV watch on the job record (what WatchJob's clients get pushed), not a
  // tight polling loop that would cost the Ferret arm CPU the direct arm does not pay.
  let finished!: () => void;
  const succeeded = new Promise<void>((resolve) => (finished = resolve));
  const watch = await store.jobs.kv.watch("bench", (change) => {
    if (change.value?.state === "succeeded") finished();
  });
  const s0 = start();
  await submitJob(store, { jobId: "bench", kind: "relevance", items, batchSize: BATCH });
  // enough batches in flight to keep C calls busy; the limiter caps calls at C
  const worker = startAnnotationWorker(store, annotator, {
    batchConcurrency: Math.ceil(C / BATCH) + 1,
    itemConcurrency: BATCH,
  });
  await succeeded;
  const m = measure(items.length, s0);
  await watch.stop();
  await worker.stop();
  const p = await jobProgress(store, "bench");
  if (p.labelsOk !== items.length || p.llmCalls !== items.length)
    throw new Error(`ferret: ${JSON.stringify(p)}`);
  if ((await store.jobs.require("bench")).state !== "succeeded") throw new Error("ferret: job not succeeded");
  await destroyAnnotationStore(store);
  return m;
}

/**
 * R worker replica processes (worker-replica.ts) sharing one job store's NATS queue, each with an LLM
 * limiter of C/R, started once per server latency so they are warm for every rep (a fresh process
 * would spend the run compiling). Each rep is a new job whose items differ from the other reps' (a rep
 * tag in the query text), so the shared cache never answers them. CPU: this process plus the replicas.
 */
interface Replicas {
  store: AnnotationStore;
  children: ChildProcess[];
}

async function startReplicas(bus: Bus, natsUrl: string, baseUrl: string, model: string): Promise<Replicas> {
  const prefix = `bench-${Date.now().toString(36)}-replicas`;
  const store = await openAnnotationStore(bus, { prefix });
  const script = fileURLToPath(new URL("./annotate-worker-replica.mjs", import.meta.url));
  const args = [natsUrl, prefix, baseUrl, model, String(Math.ceil(C / REPLICAS)), String(BATCH)];
  const children = Array.from({ length: REPLICAS }, () =>
    fork(script, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] }),
  );
  await Promise.all(children.map((c) => once(c, "message")));
  return { store, children };
}

async function stopReplicas(replicas: Replicas): Promise<void> {
  for (const c of replicas.children) c.disconnect();
  await Promise.all(replicas.children.map((c) => once(c, "exit")));
  await destroyAnnotationStore(replicas.store);
}

async function ferretReplicas(replicas: Replicas, base: WorkItem[], rep: number): Promise<Measured> {
  const { store, children } = replicas;
  const jobId = `bench-r${rep < 0 ? "warm" : rep}`;
  const items = base.map((item) =>
    item.kind === "relevance"
      ? { ...item, query: { ...item.query, text: `${item.query.text} #${rep}` } }
      : item,
  );
  let finished!: () => void;
  const succeeded = new Promise<void>((resolve) => (finished = resolve));
  const watch = await store.jobs.kv.watch(jobId, (change) => {
    if (change.value?.state === "succeeded") finished();
  });
  const replicasCpu = () => children.reduce((sum, c) => sum + processCpuUs(c.pid), 0);
  const cpu0 = replicasCpu();
  const s0 = start();
  await submitJob(store, { jobId, kind: "relevance", items, batchSize: BATCH });
  await succeeded;
  const m = measure(items.length, s0);
  m.cpuUsPerItem += (replicasCpu() - cpu0) / items.length;
  await watch.stop();
  const p = await jobProgress(store, jobId);
  if (p.labelsOk !== items.length || p.llmCalls !== items.length)
    throw new Error(`ferret replicas: ${JSON.stringify(p)}`);
  return m;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[], digits: number) =>
  `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;

const items = await loadItems();
const latencies = values["latency-ms"]!.split(",").map(Number);
const model = values["llm-model"]!;
const dir = await mkdtemp(join(tmpdir(), "bench-annotate-"));
const buses: [string, Bus][] = [["memory", await createBus({ kind: "memory", dir })]];
if (values.nats)
  buses.push(["nats", await createBus({ kind: "nats", url: values.nats, name: "bench-annotate" })]);

console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? "?"}, node ${process.version}, load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
for (const latency of latencies) {
  const server = values["llm-base-url"] ? undefined : await startTestDoubleServer(latency);
  const baseUrl = values["llm-base-url"] ?? server!.baseUrl;
  serverPid = server?.child.pid;
  console.log(
    `\nitems ${N}, concurrency ${C}, batch size ${BATCH}, server ${server ? `test double in its own process, ${latency} ms/call` : baseUrl}, reps ${REPS}`,
  );
  // warm up connections and JIT of every arm (the direct arm always, for the ratios)
  await direct(baseUrl, model, items.slice(0, C * 4));
  for (const [name, bus] of buses)
    if (ARMS.has(`ferret-${name}`)) await ferret(bus, baseUrl, model, items.slice(0, C * 4), -1);
  const nats = buses.find(([name]) => name === "nats")?.[1];
  const replicasArm = `ferret-nats-x${REPLICAS}`;
  const replicas = REPLICAS > 0 && nats ? await startReplicas(nats, values.nats!, baseUrl, model) : undefined;
  if (replicas) await ferretReplicas(replicas, items.slice(0, C * 4), -1);
  const results: Record<string, Measured[]> = { direct: [] };
  for (const [name] of buses) results[`ferret-${name}`] = [];
  results[replicasArm] = [];
  for (let rep = 0; rep < REPS; rep++) {
    if (ARMS.has("direct")) results.direct!.push(await direct(baseUrl, model, items));
    for (const [name, bus] of buses)
      if (ARMS.has(`ferret-${name}`))
        results[`ferret-${name}`]!.push(await ferret(bus, baseUrl, model, items, rep));
    if (replicas) results[replicasArm]!.push(await ferretReplicas(replicas, items, rep));
  }
  const base = median(results.direct!.map((m) => m.itemsPerSecond));
  // Per rep, each arm against the direct arm of the same rep (measured seconds apart).
  for (const [name, ms] of Object.entries(results)) {
    if (ms.length === 0) continue;
    const rates = ms.map((m) => m.itemsPerSecond);
    const ratios = ms.map((m, i) => m.itemsPerSecond / (results.direct![i]?.itemsPerSecond ?? Number.NaN));
    console.log(
      `${name.padEnd(14)} ${median(rates).toFixed(1).padStart(8)} items/s (runs ${rates.map((x) => x.toFixed(1)).join(", ")})` +
        `  ratio median ${(median(rates) / base).toFixed(3)}, per rep ${range(ratios, 2)}` +
        `  cpu us/item: client ${median(ms.map((m) => m.cpuUsPerItem)).toFixed(0)}` +
        `, llm server ${median(ms.map((m) => m.serverCpuUsPerItem)).toFixed(0)}` +
        (natsPid ? `, nats-server ${median(ms.map((m) => m.natsCpuUsPerItem)).toFixed(0)}` : ""),
    );
  }
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  if (replicas) await stopReplicas(replicas);
  server?.child.kill();
}
for (const [, bus] of buses) await bus.close();
await rm(dir, { recursive: true, force: true });
