/**
 * bench/bm25 scale: embedded BM25 vs OpenSearch on a synthetic passage corpus of growing size.
 *
 *   bench/bm25/scale.sh [--sizes 100000,300000,1000000] [--queries N] [--reps N] [--scifact DIR]
 *                       [--backends embedded,opensearch] [--quick]
 *
 * --quick is the iteration mode: 100k passages, 200 queries, best of 2, both backends unless --backends
 * says otherwise (flags after it override it).
 *
 * The corpus is built deterministically from SciFact's vocabulary: its words ranked by frequency, each
 * passage's length drawn from SciFact-like lengths (30..150 words) and its words drawn with Zipfian
 * frequencies (P(rank r) ∝ 1 / r) from a seeded generator, so every run and both backends see the same
 * passages. The largest corpus is written once as BEIR corpus.jsonl (bench/results/tmp/); each size is
 * its first N passages. The queries are SciFact's own (same vocabulary). For each size and backend, in a
 * fresh process: indexing throughput (documents/s, from reading corpus.jsonl to a searchable index), memory (RSS of the
 * process holding the index: the Node process after a GC, or the OpenSearch JVM), index size (the
 * embedded index file; OpenSearch's store after a force-merge to one segment), and queries/s at k = 10
 * and k = 1000 on one thread / one concurrent _msearch (the machine is shared), best of N after a warm-up.
 *
 * On a shared machine wall time mostly measures the neighbours, so each figure is also given per CPU
 * second: the CPU time (user + system) the work took, counted for the Node process (reading the corpus,
 * and for the embedded engine analysing, indexing and searching) plus, for OpenSearch, the JVM's
 * (/proc/<pid>/stat; it includes whatever else the shared dev node does meanwhile). The bench runs at nice 19 (scale.sh) while the OpenSearch JVM does not,
 * which tilts the wall-time figures towards OpenSearch; the CPU-time figures do not depend on it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@opensearch-project/opensearch";
import { readBeirCorpus, readBeirQueries, writeBeirCorpus, type DocumentRecord } from "@ferret/datasets";
import { EmbeddedBm25, OpenSearchBm25, defaultOpenSearchNode, type LexicalQuery } from "@ferret/retrieval";

interface Args {
  part?: "embedded" | "opensearch";
  /** Where the synthetic corpus file is written (once) and read. */
  work: string;
  size?: number;
  sizes: number[];
  scifact: string;
  opensearch: string;
  queries: number;
  reps: number;
  backends: ("embedded" | "opensearch")[];
}

/** The corpus file always holds at least this many passages, so every size is a prefix of one file. */
const CORPUS_PASSAGES = 1_000_000;

function parseArgs(argv: string[]): Args {
  const args: Args = {
    work: resolve(process.cwd(), "bench/results/tmp"),
    sizes: [100_000, 300_000, 1_000_000],
    scifact: resolve(process.cwd(), "../shared/data/scifact"),
    opensearch: defaultOpenSearchNode(),
    queries: 1109,
    reps: 2,
    backends: ["embedded", "opensearch"],
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1] ?? ""];
    if (flag === "--part") args.part = value as Args["part"];
    else if (flag === "--size") args.size = Number(value);
    else if (flag === "--sizes") args.sizes = value.split(",").map(Number);
    else if (flag === "--scifact") args.scifact = value;
    else if (flag === "--opensearch") args.opensearch = value;
    else if (flag === "--queries") args.queries = Number(value);
    else if (flag === "--reps") args.reps = Number(value);
    else if (flag === "--backends") args.backends = value.split(",") as Args["backends"];
    else if (flag === "--quick") {
      Object.assign(args, { sizes: [100_000], queries: 200, reps: 2 });
      continue;
    } else continue;
    i++;
  }
  return args;
}

/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** SciFact's words (lower-cased runs of letters and digits), most frequent first. */
async function sciFactVocabulary(dir: string): Promise<string[]> {
  const counts = new Map<string, number>();
  for await (const d of readBeirCorpus(join(dir, "corpus.jsonl"))) {
    for (const w of `${d.title} ${d.text}`.toLowerCase().match(/[a-z0-9]+/g) ?? [])
      counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
}

/** `size` passages: lengths 30..150 words, words by Zipf's law over the vocabulary's ranks. */
function* syntheticPassages(vocabulary: readonly string[], size: number): Generator<DocumentRecord> {
  const random = prng(20261203);
  // Cumulative Zipf weights 1/r, searched by bisection for each word.
  const cdf = new Float64Array(vocabulary.length);
  let total = 0;
  for (let r = 0; r < vocabulary.length; r++) cdf[r] = total += 1 / (r + 1);
  const word = (): string => {
    const u = random() * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return vocabulary[lo] as string;
  };
  for (let i = 0; i < size; i++) {
    const length = 30 + Math.floor(random() * random() * 120);
    const words = new Array<string>(length);
    for (let j = 0; j < length; j++) words[j] = word();
    yield { id: `p${i}`, title: "", text: words.join(" ") };
  }
}

interface PartResult {
  backend: string;
  size: number;
  indexSeconds: number;
  /** CPU seconds (this process + the OpenSearch JVM where used) for indexing and for each search row. */
  indexCpuSeconds: number;
  rssMiB: { before: number; indexed: number; searched: number };
  indexBytes: number;
  qps: { k: number; qps: number; queriesPerCpuSecond: number }[];
  notes: string;
}

/** CPU seconds used so far by this process (all threads). */
function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** CPU seconds used so far by another process (utime + stime in /proc/<pid>/stat, in clock ticks). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function rssMiB(pid = process.pid): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Best of `reps` passes after a warm-up: queries/s by wall time, and queries per CPU second of that pass. */
async function timeSearch(
  search: () => Promise<unknown>,
  count: number,
  reps: number,
  cpu: () => number,
): Promise<{ qps: number; queriesPerCpuSecond: number }> {
  await search(); // warm-up
  let best = Infinity;
  let bestCpu = Infinity;
  for (let r = 0; r < reps; r++) {
    const c = cpu();
    const t = performance.now();
    await search();
    best = Math.min(best, performance.now() - t);
    bestCpu = Math.min(bestCpu, cpu() - c);
  }
  return { qps: (count * 1000) / best, queriesPerCpuSecond: count / bestCpu };
}

async function loadQueries(args: Args): Promise<LexicalQuery[]> {
  const out: LexicalQuery[] = [];
  for await (const q of readBeirQueries(join(args.scifact, "queries.jsonl")))
    out.push({ id: q.id, text: q.text });
  return out.slice(0, args.queries);
}

/** The first `size` passages of the corpus file. */
async function* firstPassages(args: Args, size: number): AsyncGenerator<DocumentRecord> {
  let n = 0;
  if (size <= 0) return;
  for await (const d of readBeirCorpus(corpusPath(args))) {
    yield d;
    if (++n >= size) return;
  }
}

function corpusPath(args: Args): string {
  return resolve(args.work, `synthetic-${Math.max(CORPUS_PASSAGES, ...args.sizes)}.jsonl`);
}

async function embeddedPart(args: Args, size: number): Promise<PartResult> {
  const queries = await loadQueries(args);
  gc();
  const before = rssMiB();
  const t = performance.now();
  const c = ownCpuSeconds();
  const backend = await EmbeddedBm25.build(firstPassages(args, size));
  const indexSeconds = (performance.now() - t) / 1000;
  const indexCpuSeconds = ownCpuSeconds() - c;
  gc();
  const indexed = rssMiB();
  const dir = await mkdtemp(join(tmpdir(), "ferret-bench-bm25-scale-"));
  const file = join(dir, "synthetic.bm25");
  await backend.save(file);
  const indexBytes = (await stat(file)).size;
  await rm(dir, { recursive: true });
  const qps: PartResult["qps"] = [];
  for (const k of [10, 1000]) {
    const search = () => backend.searchBatch(queries, { k, threads: 1 });
    qps.push({ k, ...(await timeSearch(search, queries.length, args.reps, ownCpuSeconds)) });
  }
  gc();
  const searched = rssMiB();
  await backend.close();
  return {
    backend: "embedded",
    size,
    indexSeconds,
    indexCpuSeconds,
    rssMiB: { before, indexed, searched },
    indexBytes,
    qps,
    notes: "RSS of the Node process after a GC (vocabulary and queries included); index file size",
  };
}

async function openSearchPart(args: Args, size: number): Promise<PartResult> {
  const queries = await loadQueries(args);
  const client = new Client({ node: args.opensearch, requestTimeout: 600_000 });
  const alias = `ferret-bench-bm25-scale-${process.pid}`;
  const nodes = (await client.nodes.info({ metric: ["process"] })).body as {
    nodes: Record<string, { process: { id: number } }>;
  };
  const pid = Object.values(nodes.nodes)[0]?.process.id;
  const jvmRss = (): number => (pid === undefined ? Number.NaN : rssMiB(pid));
  const before = jvmRss();
  // OpenSearch on this machine: its JVM's CPU counts too.
  const cpu = (): number => ownCpuSeconds() + (pid === undefined ? Number.NaN : processCpuSeconds(pid));
  const t = performance.now();
  const c = cpu();
  const { backend, index } = await OpenSearchBm25.build(firstPassages(args, size), {
    client,
    alias,
  });
  const indexSeconds = (performance.now() - t) / 1000;
  const indexCpuSeconds = cpu() - c;
  const indexed = jvmRss();
  try {
    const searcher = await OpenSearchBm25.open({ client, alias, concurrency: 1, msearchSize: 50 });
    const qps: PartResult["qps"] = [];
    for (const k of [10, 1000]) {
      const search = () => searcher.searchBatch(queries, { k });
      qps.push({ k, ...(await timeSearch(search, queries.length, args.reps, cpu)) });
    }
    const searched = jvmRss();
    await client.indices.forcemerge({ index, max_num_segments: 1 }).catch(() => undefined);
    const stats = (await client.indices.stats({ index, metric: "store" })).body as {
      indices: Record<string, { total: { store: { size_in_bytes: number } } }>;
    };
    const jvm = (await client.nodes.stats({ metric: ["jvm"] })).body as {
      nodes: Record<string, { jvm: { mem: { heap_max_in_bytes: number } } }>;
    };
    const heapMax = Object.values(jvm.nodes)[0]?.jvm.mem.heap_max_in_bytes ?? 0;
    return {
      backend: `OpenSearch (${backend.meta.analysis}-side analysis)`,
      size,
      indexSeconds,
      indexCpuSeconds,
      rssMiB: { before, indexed, searched },
      indexBytes: stats.indices[index]?.total.store.size_in_bytes ?? 0,
      qps,
      notes: `RSS of the OpenSearch JVM (whole node, heap max ${(heapMax / 2 ** 20).toFixed(0)} MiB); store after force-merge`,
    };
  } finally {
    await backend.drop();
    await backend.close();
    await client.close();
  }
}

function table(results: PartResult[]): string {
  const header = [
    "passages",
    "backend",
    "index docs/s (wall)",
    "index docs/CPU-s",
    "RSS MiB (before / indexed / searched)",
    "index MB",
    "bytes/passage",
    "QPS k=10 (wall / per CPU-s)",
    "QPS k=1000 (wall / per CPU-s)",
  ];
  const rows = results.map((r) => [
    r.size.toLocaleString("en-US"),
    r.backend,
    (r.size / r.indexSeconds).toFixed(0),
    (r.size / r.indexCpuSeconds).toFixed(0),
    `${r.rssMiB.before.toFixed(0)} / ${r.rssMiB.indexed.toFixed(0)} / ${r.rssMiB.searched.toFixed(0)}`,
    (r.indexBytes / 1e6).toFixed(1),
    (r.indexBytes / r.size).toFixed(0),
    ...[10, 1000].map((k) => {
      const q = r.qps.find((x) => x.k === k);
      return `${(q?.qps ?? 0).toFixed(1)} / ${(q?.queriesPerCpuSecond ?? 0).toFixed(1)}`;
    }),
  ]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const args = parseArgs(process.argv.slice(2));
if (args.part !== undefined && args.size !== undefined) {
  const result =
    args.part === "embedded" ? await embeddedPart(args, args.size) : await openSearchPart(args, args.size);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const self = fileURLToPath(import.meta.url);
  const results: PartResult[] = [];
  const corpus = corpusPath(args);
  if (!existsSync(corpus)) {
    const t = performance.now();
    const written = await writeBeirCorpus(
      corpus,
      syntheticPassages(await sciFactVocabulary(args.scifact), Math.max(CORPUS_PASSAGES, ...args.sizes)),
    );
    process.stderr.write(
      `wrote ${written} passages to ${corpus} in ${((performance.now() - t) / 1000).toFixed(0)} s\n`,
    );
  }
  for (const size of args.sizes) {
    for (const part of args.backends) {
      const out = execFileSync(
        process.execPath,
        [
          "--expose-gc",
          "--max-old-space-size=8192",
          self,
          ...process.argv.slice(2),
          "--part",
          part,
          "--size",
          String(size),
        ],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      const result = JSON.parse(out.trim().split("\n").at(-1) as string) as PartResult;
      results.push(result);
      process.stderr.write(`${JSON.stringify(result)}\n`);
    }
  }
  process.stdout.write(`${table(results)}\n\n`);
  for (const r of results.slice(0, 2)) process.stdout.write(`- ${r.backend}: ${r.notes}\n`);
}
