/**
 * bench/bm25: embedded BM25 vs OpenSearch on BEIR SciFact, side by side, on this machine.
 *
 *   bench/bm25/run.sh [--scifact DIR] [--opensearch URL] [--reps N]
 *
 * Measures, for each backend: indexing throughput (documents/s, from reading corpus.jsonl to a
 * searchable index), search throughput (queries/s over SciFact's 1,109 queries, k = 10 and k = 1000,
 * with 1 and 2 search threads — worker threads for the embedded index, concurrent _msearch requests
 * for OpenSearch), memory (resident set of the process holding the index: the Node process, or the
 * OpenSearch JVM), and the SciFact test nDCG@10 as a sanity check that both search the same thing.
 * Each part runs in a fresh process, so memory figures are not polluted by the other.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, freemem, platform, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@opensearch-project/opensearch";
import { rankByTrecOrder, readBeirCorpus, readBeirQrels, readBeirQueries } from "@ferret/datasets";
import { EmbeddedBm25, OpenSearchBm25, defaultOpenSearchNode, type LexicalQuery } from "@ferret/retrieval";

interface Args {
  part: "all" | "embedded" | "opensearch";
  scifact: string;
  opensearch: string;
  reps: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    part: "all",
    // run.sh runs from the repository root; shared/ sits beside it.
    scifact: resolve(process.cwd(), "../shared/data/scifact"),
    opensearch: defaultOpenSearchNode(),
    reps: 3,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === "--part") args.part = value as Args["part"];
    else if (flag === "--scifact") args.scifact = value ?? args.scifact;
    else if (flag === "--opensearch") args.opensearch = value ?? args.opensearch;
    else if (flag === "--reps") args.reps = Number(value);
    else continue;
    i++;
  }
  return args;
}

interface PartResult {
  backend: string;
  indexDocsPerSec: number;
  indexSeconds: number;
  /** Search rows: k, threads, queries/s (best of reps). */
  qps: { k: number; threads: number; qps: number }[];
  /** Resident memory of the process holding the index: before loading, after indexing, after the searches. */
  rssMiB: { before: number; indexed: number; searched: number };
  indexBytes: number;
  ndcg10: number;
  notes: string;
}

async function loadQueries(dir: string): Promise<LexicalQuery[]> {
  const out: LexicalQuery[] = [];
  for await (const q of readBeirQueries(join(dir, "queries.jsonl"))) out.push({ id: q.id, text: q.text });
  return out;
}

/** trec_eval's ndcg_cut_10 (binary SciFact labels), ties by docid descending. */
function ndcg10(run: Map<string, Map<string, number>>, qrels: Map<string, Map<string, number>>): number {
  let sum = 0;
  let n = 0;
  for (const [q, judged] of qrels) {
    const hits = rankByTrecOrder(run.get(q) ?? new Map<string, number>(), 10);
    let dcg = 0;
    hits.forEach(([id], i) => (dcg += (judged.get(id) ?? 0) / Math.log2(i + 2)));
    const ideal = [...judged.values()].filter((r) => r > 0).sort((a, b) => b - a);
    let idcg = 0;
    ideal.slice(0, 10).forEach((r, i) => (idcg += r / Math.log2(i + 2)));
    sum += idcg > 0 ? dcg / idcg : 0;
    n++;
  }
  return sum / n;
}

async function timeSearch(search: () => Promise<unknown>, count: number, reps: number): Promise<number> {
  await search(); // warm-up (JIT, caches, worker start)
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await search();
    best = Math.min(best, performance.now() - t);
  }
  return (count * 1000) / best;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function rssMiB(pid = process.pid): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function embeddedPart(args: Args): Promise<PartResult> {
  const queries = await loadQueries(args.scifact);
  const qrels = await readBeirQrels(join(args.scifact, "qrels", "test.tsv"));
  gc();
  const before = rssMiB();
  const t = performance.now();
  const backend = await EmbeddedBm25.build(readBeirCorpus(join(args.scifact, "corpus.jsonl")));
  const indexSeconds = (performance.now() - t) / 1000;
  gc();
  const indexed = rssMiB();
  const dir = await mkdtemp(join(tmpdir(), "ferret-bench-bm25-"));
  const file = join(dir, "scifact.bm25");
  await backend.save(file);
  const indexBytes = (await stat(file)).size;
  await rm(dir, { recursive: true });
  const qps: PartResult["qps"] = [];
  for (const k of [10, 1000]) {
    for (const threads of [1, 2]) {
      qps.push({
        k,
        threads,
        qps: await timeSearch(() => backend.searchBatch(queries, { k, threads }), queries.length, args.reps),
      });
    }
  }
  const test = queries.filter((q) => qrels.has(q.id));
  const run = await backend.searchBatch(test, { k: 1000, removeQuery: true, ties: "anserini", threads: 1 });
  gc();
  const searched = rssMiB();
  await backend.close();
  return {
    backend: "embedded",
    indexDocsPerSec: backend.index.numDocs / indexSeconds,
    indexSeconds,
    qps,
    rssMiB: { before, indexed, searched },
    indexBytes,
    ndcg10: ndcg10(run, qrels),
    notes:
      "RSS of the Node process (after a GC), including the 2 search worker threads once started; index file size",
  };
}

async function openSearchPart(args: Args): Promise<PartResult> {
  const queries = await loadQueries(args.scifact);
  const qrels = await readBeirQrels(join(args.scifact, "qrels", "test.tsv"));
  const client = new Client({ node: args.opensearch, requestTimeout: 120_000 });
  const alias = `ferret-bench-bm25-${process.pid}`;
  const nodes = (await client.nodes.info({ metric: ["process"] })).body as {
    nodes: Record<string, { process: { id: number } }>;
  };
  const pid = Object.values(nodes.nodes)[0]?.process.id;
  const jvmRss = (): number => {
    try {
      return pid === undefined ? Number.NaN : rssMiB(pid);
    } catch {
      return Number.NaN; // OpenSearch on another machine: no /proc entry.
    }
  };
  const before = jvmRss();
  const t = performance.now();
  const { backend, indexed, index } = await OpenSearchBm25.build(
    readBeirCorpus(join(args.scifact, "corpus.jsonl")),
    {
      client,
      alias,
    },
  );
  const indexSeconds = (performance.now() - t) / 1000;
  const indexedRss = jvmRss();
  try {
    const qps: PartResult["qps"] = [];
    for (const k of [10, 1000]) {
      for (const threads of [1, 2]) {
        const searcher = await OpenSearchBm25.open({ client, alias, concurrency: threads, msearchSize: 50 });
        qps.push({
          k,
          threads,
          qps: await timeSearch(() => searcher.searchBatch(queries, { k }), queries.length, args.reps),
        });
      }
    }
    const test = queries.filter((q) => qrels.has(q.id));
    const run = await backend.searchBatch(test, { k: 1000, removeQuery: true, ties: "anserini" });
    await client.indices.forcemerge({ index, max_num_segments: 1 }).catch(() => undefined);
    const stats = (await client.indices.stats({ index, metric: "store" })).body as {
      indices: Record<string, { total: { store: { size_in_bytes: number } } }>;
    };
    const searched = jvmRss();
    const jvm = (await client.nodes.stats({ metric: ["jvm"] })).body as {
      nodes: Record<string, { jvm: { mem: { heap_max_in_bytes: number } } }>;
    };
    const heapMax = Object.values(jvm.nodes)[0]?.jvm.mem.heap_max_in_bytes ?? 0;
    return {
      backend: `OpenSearch (${backend.meta.analysis}-side analysis)`,
      indexDocsPerSec: indexed / indexSeconds,
      indexSeconds,
      qps,
      rssMiB: { before, indexed: indexedRss, searched },
      indexBytes: stats.indices[index]?.total.store.size_in_bytes ?? 0,
      ndcg10: ndcg10(run, qrels),
      notes: `RSS of the OpenSearch JVM (whole node, heap max ${(heapMax / 2 ** 20).toFixed(0)} MiB); store size after force-merge`,
    };
  } finally {
    await backend.drop();
    await backend.close();
    await client.close();
  }
}

function machine(args: Args): string {
  const cpu = cpus();
  let osVersion = "unreachable";
  try {
    osVersion = JSON.parse(execFileSync("curl", ["-s", args.opensearch], { encoding: "utf8" })).version
      .number;
  } catch {
    // leave as unreachable
  }
  return [
    `CPU: ${cpu[0]?.model ?? "?"} x ${cpu.length} logical cores; RAM ${(totalmem() / 2 ** 30).toFixed(0)} GiB (${(freemem() / 2 ** 30).toFixed(0)} GiB free)`,
    `OS: ${platform()} ${release()}; Node ${process.version}; OpenSearch ${osVersion} (${args.opensearch}, same machine)`,
  ].join("\n");
}

function table(results: PartResult[]): string {
  const header = ["", ...results.map((r) => r.backend)];
  const rows: string[][] = [
    [
      "indexing (docs/s)",
      ...results.map((r) => `${r.indexDocsPerSec.toFixed(0)} (${r.indexSeconds.toFixed(2)} s)`),
    ],
  ];
  for (const { k, threads } of results[0]?.qps ?? []) {
    rows.push([
      `QPS k=${k}, ${threads} thread${threads > 1 ? "s" : ""}`,
      ...results.map((r) => (r.qps.find((x) => x.k === k && x.threads === threads)?.qps ?? 0).toFixed(0)),
    ]);
  }
  rows.push(["RSS before indexing (MiB)", ...results.map((r) => r.rssMiB.before.toFixed(0))]);
  rows.push(["RSS after indexing (MiB)", ...results.map((r) => r.rssMiB.indexed.toFixed(0))]);
  rows.push(["RSS after searching (MiB)", ...results.map((r) => r.rssMiB.searched.toFixed(0))]);
  rows.push(["index size (MB)", ...results.map((r) => (r.indexBytes / 1e6).toFixed(2))]);
  rows.push(["SciFact test nDCG@10", ...results.map((r) => r.ndcg10.toFixed(4))]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const args = parseArgs(process.argv.slice(2));
if (args.part === "embedded" || args.part === "opensearch") {
  const result = args.part === "embedded" ? await embeddedPart(args) : await openSearchPart(args);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const self = fileURLToPath(import.meta.url);
  const results: PartResult[] = [];
  for (const part of ["embedded", "opensearch"]) {
    const out = execFileSync(
      process.execPath,
      ["--expose-gc", self, ...process.argv.slice(2), "--part", part],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    results.push(JSON.parse(out.trim().split("\n").at(-1) as string) as PartResult);
  }
  process.stdout.write(
    `${machine(args)}\nSciFact: 5,183 documents; 1,109 queries timed (best of ${args.reps} after a warm-up)\n\n`,
  );
  process.stdout.write(`${table(results)}\n\n`);
  for (const r of results) process.stdout.write(`- ${r.backend}: ${r.notes}\n`);
  const ratio = (k: number, threads: number) =>
    (results[0]?.qps.find((x) => x.k === k && x.threads === threads)?.qps ?? 0) /
    (results[1]?.qps.find((x) => x.k === k && x.threads === threads)?.qps ?? 1);
  process.stdout.write(
    `\nembedded / OpenSearch QPS: k=10 ${ratio(10, 1).toFixed(1)}x (1 thread), ${ratio(10, 2).toFixed(1)}x (2 threads); ` +
      `k=1000 ${ratio(1000, 1).toFixed(1)}x (1 thread), ${ratio(1000, 2).toFixed(1)}x (2 threads)\n`,
  );
}
