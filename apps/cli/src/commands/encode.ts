import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";
import { createBus, type Bus } from "@ferret/bus";
import {
  readBeirCorpus,
  readBeirQrels,
  readBeirQueries,
  writeTrecRun,
  type QueryRecord,
  type Run,
} from "@ferret/datasets";
import {
  DEFAULT_HNSW,
  ServedIndex,
  normalizationOf,
  readIndexManifest,
  retrieve,
  runIndexCorpusJob,
  startShardWorker,
  type HnswOptions,
  type IndexKind,
} from "@ferret/encoder";
import { InvalidArgumentError } from "@ferret/errors";
import { BiEncoder, type ModelVariant } from "@ferret/inference";
import { EmbeddedBm25 } from "@ferret/retrieval";
import { formatInt } from "../table.js";
import { cliNatsAuth } from "../nats-auth.js";

/**
 * `ferret encode …`: dense indexes with a Ferret bi-encoder model dir. `index` embeds a BEIR corpus through
 * the same sharded job the encoder service runs (an in-process bus and worker by default; with --nats-url
 * the shards also go to every encoder replica on that NATS); `search` writes a TREC run, dense (HNSW or
 * exact) or hybrid with an embedded BM25 index (α·dense + (1 − α)·BM25 after per-query normalization).
 */

interface IndexFlags {
  out: string;
  variant: string;
  kind: string;
  shardSize: string;
  threads: string;
  hnswM: string;
  hnswEfConstruction: string;
  natsUrl?: string;
  progress: boolean;
}

interface SearchFlags {
  queries: string;
  split?: string;
  hits: string;
  out: string;
  exact?: boolean;
  hybrid?: string;
  alpha: string;
  normalization: string;
  depth?: string;
  model?: string;
  variant?: string;
  threads: string;
  hnswEf: string;
  removeQuery?: boolean;
  tag?: string;
  progress: boolean;
}

function number(value: string, flag: string, integer = false): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`${flag} must be a${integer ? "n integer" : " number"}, got "${value}"`);
  }
  return n;
}

function variantOf(value: string): ModelVariant {
  if (value !== "fp32" && value !== "quantized") {
    throw new InvalidArgumentError(`--variant must be fp32 or quantized, got "${value}"`);
  }
  return value;
}

/** A count bar on stderr, shown only on a terminal (stdout stays clean for the summary). */
function countBar(label: string, unit: string, enabled: boolean) {
  const stream = process.stderr;
  let bar: SingleBar | undefined;
  return {
    update(done: number, total: number): void {
      if (!enabled || stream.isTTY !== true) return;
      if (!bar) {
        bar = new SingleBar(
          {
            stream,
            format: `${label} [{bar}] {percentage}% | {value} / {total} ${unit} | ETA {eta_formatted}`,
            clearOnComplete: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop(): void {
      bar?.stop();
    },
  };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function runIndex(modelDir: string, beirDir: string, flags: IndexFlags): Promise<void> {
  const variant = variantOf(flags.variant);
  if (!["auto", "exact", "hnsw"].includes(flags.kind)) {
    throw new InvalidArgumentError(`--kind must be auto, exact or hnsw, got "${flags.kind}"`);
  }
  const hnsw: HnswOptions = {
    connectivity: number(flags.hnswM, "--hnsw-m", true),
    expansionAdd: number(flags.hnswEfConstruction, "--hnsw-ef-construction", true),
  };
  const encoder = await BiEncoder.load(modelDir, {
    variant,
    intraOpNumThreads: number(flags.threads, "--threads", true),
  });
  const scratch = await mkdtemp(join(tmpdir(), "ferret-encode-"));
  let bus: Bus | undefined;
  const bar = countBar("encoding", "docs", flags.progress);
  const started = Date.now();
  try {
    bus =
      flags.natsUrl === undefined
        ? await createBus({ kind: "memory", dir: scratch })
        : await createBus({ kind: "nats", url: flags.natsUrl, name: "ferret-cli", auth: cliNatsAuth() });
    const fingerprint = await encoder.fingerprint();
    const worker = await startShardWorker({
      bus,
      encoders: async () => encoder,
      queueOptions: { ackWaitMs: 60_000 },
    });
    let documents = 0;
    let kind = "";
    try {
      for await (const p of runIndexCorpusJob({
        bus,
        jobId: `cli-${basename(resolve(beirDir)).replace(/[^A-Za-z0-9_-]/g, "_")}-${fingerprint.slice(0, 12)}-${process.pid}`,
        documents: readBeirCorpus(join(beirDir, "corpus.jsonl")),
        model: {
          name: basename(resolve(modelDir)),
          variant,
          fingerprint,
          dimension: encoder.dimension,
          dir: resolve(modelDir),
        },
        outDir: flags.out,
        shardSize: number(flags.shardSize, "--shard-size", true),
        kind: flags.kind as IndexKind,
        hnsw,
        collection: basename(resolve(beirDir)),
        queueOptions: { ackWaitMs: 60_000 },
      })) {
        bar.update(p.documentsDone, p.documents);
        documents = p.documents;
        if (p.manifest) kind = p.manifest.kind;
      }
    } finally {
      await worker.stop({ graceMs: 0 });
    }
    bar.stop();
    const ms = Date.now() - started;
    process.stdout.write(
      `indexed ${formatInt(documents)} documents (${kind}, ${variant}) in ${seconds(ms)} ` +
        `(${formatInt(Math.round((documents * 1000) / Math.max(ms, 1)))} docs/s) -> ${flags.out}\n`,
    );
  } finally {
    bar.stop();
    await bus?.close({ graceMs: 0 });
    await encoder.close();
    await rm(scratch, { recursive: true, force: true });
  }
}

async function readQueries(beirDir: string, split: string | undefined): Promise<QueryRecord[]> {
  const wanted =
    split === undefined ? undefined : await readBeirQrels(join(beirDir, "qrels", `${split}.tsv`));
  const queries: QueryRecord[] = [];
  for await (const q of readBeirQueries(join(beirDir, "queries.jsonl"))) {
    if (!wanted || wanted.has(q.id)) queries.push(q);
  }
  return queries;
}

const QUERY_CHUNK = 256;

async function runSearch(indexDir: string, flags: SearchFlags): Promise<void> {
  const k = number(flags.hits, "-k", true);
  const manifest = await readIndexManifest(indexDir);
  const modelDir = flags.model ?? manifest.modelDir;
  if (modelDir === undefined) {
    throw new InvalidArgumentError(`${indexDir} does not say where its model is: pass --model <model-dir>`);
  }
  const variant = variantOf(flags.variant ?? manifest.modelVariant ?? "fp32");
  const alpha = number(flags.alpha, "--alpha");
  const normalization = normalizationOf(flags.normalization);
  const depth = flags.depth === undefined ? undefined : number(flags.depth, "--depth", true);
  const encoder = await BiEncoder.load(modelDir, {
    variant,
    intraOpNumThreads: number(flags.threads, "--threads", true),
  });
  const bm25 = flags.hybrid === undefined ? undefined : await EmbeddedBm25.load(flags.hybrid);
  const bar = countBar("searching", "queries", flags.progress);
  try {
    const served = await ServedIndex.open(basename(indexDir), indexDir, await encoder.fingerprint(), {
      ...DEFAULT_HNSW,
      expansionSearch: number(flags.hnswEf, "--hnsw-ef", true),
    });
    const index = await served.searcher(flags.exact === true);
    const queries = await readQueries(flags.queries, flags.split);
    const started = Date.now();
    const run: Run = new Map();
    for (let start = 0; start < queries.length; start += QUERY_CHUNK) {
      const part = await retrieve(encoder, index, queries.slice(start, start + QUERY_CHUNK), {
        k,
        removeQuery: flags.removeQuery === true,
        ...(bm25 ? { hybrid: { bm25, alpha, normalization, ...(depth ? { depth } : {}) } } : {}),
      });
      for (const [qid, docs] of part) run.set(qid, docs);
      bar.update(Math.min(start + QUERY_CHUNK, queries.length), queries.length);
    }
    bar.stop();
    const ms = Date.now() - started;
    const mode = bm25
      ? `hybrid α=${alpha} ${normalization}`
      : `dense ${flags.exact === true || index.kind === "exact" ? "exact" : "hnsw"}`;
    const tag = flags.tag ?? `ferret-${bm25 ? "hybrid" : "dense"}-${manifest.modelName}`;
    await writeTrecRun(flags.out, run, { tag });
    process.stdout.write(
      `searched ${formatInt(queries.length)} queries (${mode}) in ${seconds(ms)} ` +
        `(${formatInt(Math.round((queries.length * 1000) / Math.max(ms, 1)))} q/s) -> ${flags.out}\n`,
    );
  } finally {
    bar.stop();
    await bm25?.close();
    await encoder.close();
  }
}

export function register(program: Command): void {
  const encode = program
    .command("encode")
    .description(
      "dense retrieval with a Ferret bi-encoder: build a vector index, search it (dense or hybrid)",
    );
  encode
    .command("index")
    .description("embed a BEIR corpus (title + text) into a dense index")
    .argument("<model-dir>", "Ferret model directory (ferret.json, tokenizer.json, model.onnx)")
    .argument("<beir-dir>", "BEIR directory with corpus.jsonl")
    .requiredOption("--out <index>", "index directory to write")
    .option("--variant <v>", "fp32 or quantized (the model's int8 ONNX)", "fp32")
    .option(
      "--kind <kind>",
      "auto (exact up to 50k docs), exact or hnsw (hnsw also keeps the exact vectors)",
      "auto",
    )
    .option("--shard-size <n>", "documents per shard (one work-queue job each)", "256")
    .option("--threads <n>", "ONNX Runtime threads (0 = one per core)", "0")
    .option("--hnsw-m <m>", "HNSW graph degree M", String(DEFAULT_HNSW.connectivity))
    .option("--hnsw-ef-construction <n>", "HNSW efConstruction", String(DEFAULT_HNSW.expansionAdd))
    .option(
      "--nats-url <url>",
      "also hand shards to the encoder replicas on this NATS (default: in-process only)",
    )
    .option("--no-progress", "never show a progress bar")
    .action(runIndex);
  encode
    .command("search")
    .description("search a BEIR query set and write a TREC run")
    .argument("<index>", "index directory written by `ferret encode index`")
    .requiredOption("--queries <beir-dir>", "BEIR directory with queries.jsonl (and qrels/ for --split)")
    .option("--split <name>", "only the queries judged in qrels/<name>.tsv")
    .option("-k, --hits <k>", "hits per query", "1000")
    .requiredOption("--out <run>", "TREC run file to write")
    .option("--exact", "exact inner-product scan even when the index is HNSW")
    .option("--hybrid <bm25-index>", "fuse with this embedded BM25 index (`ferret bm25 index`)")
    .option("--alpha <a>", "hybrid: weight of the dense run, in [0, 1]", "0.5")
    .option("--normalization <name>", "hybrid: per-query score normalization (@ferret/fusion)", "min-max")
    .option("--depth <n>", "hybrid: hits taken from each run before fusion (default k)")
    .option("--model <model-dir>", "model directory (default: the one recorded in the index)")
    .option("--variant <v>", "fp32 or quantized (default: the index's)")
    .option("--threads <n>", "ONNX Runtime threads (0 = one per core)", "0")
    .option("--hnsw-ef <n>", "HNSW ef at search time", String(DEFAULT_HNSW.expansionSearch))
    .option("--remove-query", "drop a query's own id from the k hits retrieved (Anserini -removeQuery)")
    .option("--tag <tag>", "run tag")
    .option("--no-progress", "never show a progress bar")
    .action(runSearch);
}
