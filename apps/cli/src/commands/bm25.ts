import { stat } from "node:fs/promises";
import { join } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";
import {
  readBeirCorpus,
  readBeirQrels,
  readBeirQueries,
  writeTrecRun,
  type Qrels,
  type Run,
} from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import {
  ANSERINI_BM25,
  EmbeddedBm25,
  OpenSearchBm25,
  isAnalyzerName,
  isTieRule,
  TIE_RULES,
  type AnalysisMode,
  type AnalyzerName,
  type FieldLayout,
  type LexicalQuery,
  type LexicalBackend,
  type Rm3Options,
} from "@ferret/retrieval";
import { formatBytes, withByteProgress } from "../progress.js";
import { formatInt } from "../table.js";

/**
 * `ferret bm25 …`: Anserini-exact BM25 baselines. `index` builds an embedded index file or an
 * OpenSearch index (behind an alias); `search` runs a BEIR query split and writes a TREC run.
 */

type Backend = "embedded" | "opensearch";

interface CommonFlags {
  backend: Backend;
  opensearchUrl?: string;
  progress: boolean;
}

interface IndexFlags extends CommonFlags {
  out: string;
  analyzer: string;
  layout: string;
  k1: string;
  b: string;
  analysis: string;
  shards: string;
}

interface SearchFlags extends CommonFlags {
  queries: string;
  split?: string;
  k: string;
  out: string;
  removeQuery?: boolean;
  rm3?: boolean;
  fbTerms: string;
  fbDocs: string;
  originalQueryWeight: string;
  threads?: string;
  tag: string;
  ties: string;
  k1?: string;
  b?: string;
}

function number(value: string, flag: string, integer = false): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new InvalidArgumentError(`${flag} must be a${integer ? "n integer" : " number"}, got "${value}"`);
  }
  return n;
}

function backendOf(value: string): Backend {
  if (value !== "embedded" && value !== "opensearch") {
    throw new InvalidArgumentError(`--backend must be embedded or opensearch, got "${value}"`);
  }
  return value;
}

/** A count bar on stderr, shown only on a terminal (stdout stays clean for the summary). */
function countBar(
  label: string,
  enabled: boolean,
): { update(done: number, total: number): void; stop(): void } {
  const stream = process.stderr;
  let bar: SingleBar | undefined;
  return {
    update(done, total) {
      if (!enabled || stream.isTTY !== true) return;
      if (!bar) {
        bar = new SingleBar(
          {
            stream,
            format: `${label} [{bar}] {percentage}% | {value} / {total} | ETA {eta_formatted}`,
            clearOnComplete: true,
          },
          Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

async function runIndex(beirDir: string, flags: IndexFlags): Promise<void> {
  const backend = backendOf(flags.backend);
  if (!isAnalyzerName(flags.analyzer)) throw new InvalidArgumentError(`unknown analyzer "${flags.analyzer}"`);
  const analyzer: AnalyzerName = flags.analyzer;
  if (flags.layout !== "flat" && flags.layout !== "multifield") {
    throw new InvalidArgumentError(`--layout must be flat or multifield, got "${flags.layout}"`);
  }
  const layout: FieldLayout = flags.layout;
  const bm25 = { k1: number(flags.k1, "--k1"), b: number(flags.b, "--b") };
  const corpus = join(beirDir, "corpus.jsonl");
  const started = Date.now();
  let documents = 0;
  let where = flags.out;
  await withByteProgress({ label: "indexing", enabled: flags.progress }, async (onProgress) => {
    const docs = readBeirCorpus(corpus, { onProgress });
    if (backend === "embedded") {
      const index = await EmbeddedBm25.build(docs, { analyzer, layout, bm25 });
      documents = index.index.numDocs;
      await index.save(flags.out);
      where = `${flags.out} (${formatBytes((await stat(flags.out)).size)})`;
    } else {
      if (!["auto", "client", "server"].includes(flags.analysis)) {
        throw new InvalidArgumentError(`--analysis must be auto, client or server, got "${flags.analysis}"`);
      }
      const built = await OpenSearchBm25.build(docs, {
        alias: flags.out,
        ...(flags.opensearchUrl ? { node: flags.opensearchUrl } : {}),
        analyzer,
        layout,
        bm25,
        analysis: flags.analysis as AnalysisMode | "auto",
        shards: number(flags.shards, "--shards", true),
      });
      documents = built.indexed;
      where = `alias ${flags.out} -> ${built.index} (${built.backend.meta.analysis}-side analysis)`;
      await built.backend.close();
    }
  });
  const ms = Date.now() - started;
  process.stdout.write(
    `indexed ${formatInt(documents)} documents in ${seconds(ms)} (${formatInt(Math.round((documents * 1000) / ms))} docs/s) -> ${where}\n`,
  );
}

async function readQueries(
  beirDir: string,
  split: string | undefined,
): Promise<{ queries: LexicalQuery[]; qrels: Qrels | undefined }> {
  const qrels = split === undefined ? undefined : await readBeirQrels(join(beirDir, "qrels", `${split}.tsv`));
  const queries: LexicalQuery[] = [];
  for await (const q of readBeirQueries(join(beirDir, "queries.jsonl"))) {
    if (!qrels || qrels.has(q.id)) queries.push({ id: q.id, text: q.text });
  }
  return { queries, qrels };
}

/**
 * --remove-query drops a query's own id from its hits. That is its purpose where queries are documents
 * (ArguAna, Quora), but where both are merely numbered "1", "2", ... it silently drops an unrelated, maybe
 * relevant, document: say how many query ids are document ids, and how many of those are judged relevant.
 */
async function warnOnIdOverlap(backend: LexicalBackend, queries: readonly LexicalQuery[], qrels?: Qrels) {
  const shared = await backend.documentIds(queries.map((q) => q.id));
  if (shared.length === 0) return;
  const relevant = qrels ? shared.filter((id) => (qrels.get(id)?.get(id) ?? 0) > 0).length : undefined;
  process.stderr.write(
    `warning: ${formatInt(shared.length)} of ${formatInt(queries.length)} query ids are also document ids ` +
      `(e.g. "${shared[0]}"); --remove-query drops each such document from its own query's hits` +
      (relevant === undefined ? "" : ` (${formatInt(relevant)} of them judged relevant to that query)`) +
      "\n",
  );
}

async function runSearch(index: string, flags: SearchFlags): Promise<void> {
  const backend = backendOf(flags.backend);
  const k = number(flags.k, "-k", true);
  if (!isTieRule(flags.ties)) {
    throw new InvalidArgumentError(`--ties must be one of ${TIE_RULES.join(", ")}, got "${flags.ties}"`);
  }
  const ties = flags.ties;
  const { queries, qrels } = await readQueries(flags.queries, flags.split);
  const rm3: Rm3Options | undefined = flags.rm3
    ? {
        fbTerms: number(flags.fbTerms, "--fb-terms", true),
        fbDocs: number(flags.fbDocs, "--fb-docs", true),
        originalQueryWeight: number(flags.originalQueryWeight, "--original-query-weight"),
      }
    : undefined;
  const bm25 =
    flags.k1 !== undefined || flags.b !== undefined
      ? {
          k1: flags.k1 === undefined ? ANSERINI_BM25.k1 : number(flags.k1, "--k1"),
          b: flags.b === undefined ? ANSERINI_BM25.b : number(flags.b, "--b"),
        }
      : undefined;
  const threads = flags.threads === undefined ? undefined : number(flags.threads, "--threads", true);
  const bar = countBar("searching", flags.progress);
  const options = {
    k,
    ties,
    removeQuery: flags.removeQuery === true,
    ...(rm3 ? { rm3 } : {}),
    ...(bm25 ? { bm25 } : {}),
    ...(threads ? { threads } : {}),
    onProgress: (done: number, total: number) => bar.update(done, total),
  };
  const searcher: LexicalBackend =
    backend === "embedded"
      ? await EmbeddedBm25.load(index)
      : await OpenSearchBm25.open({
          alias: index,
          ...(flags.opensearchUrl ? { node: flags.opensearchUrl } : {}),
        });
  let run: Run;
  let ms: number;
  try {
    if (options.removeQuery) await warnOnIdOverlap(searcher, queries, qrels);
    const started = Date.now();
    run = await searcher.searchBatch(queries, options);
    ms = Date.now() - started;
  } finally {
    bar.stop();
    await searcher.close();
  }
  // Anserini writes its adjusted scores with %f; the same text makes the two runs comparable line by line.
  await writeTrecRun(flags.out, run, {
    tag: flags.tag,
    ...(ties === "anserini" ? { scoreDecimals: 6 } : {}),
  });
  process.stdout.write(
    `searched ${formatInt(queries.length)} queries in ${seconds(ms)} (${formatInt(Math.round((queries.length * 1000) / Math.max(ms, 1)))} q/s) -> ${flags.out}\n`,
  );
}

export function register(program: Command): void {
  const bm25 = program
    .command("bm25")
    .description("Lucene/Anserini-exact BM25: build an index, search a query set into a TREC run");
  const common = (cmd: Command): Command =>
    cmd
      .option("--backend <name>", "embedded (an index file) or opensearch (an index alias)", "embedded")
      .option("--opensearch-url <url>", "OpenSearch node (default $OPENSEARCH_URL or http://127.0.0.1:9200)")
      .option("--no-progress", "never show a progress bar");
  common(
    bm25
      .command("index")
      .description("index a BEIR corpus (title and text as one field, Anserini's flat setting, by default)")
      .argument("<beir-dir>", "BEIR directory with corpus.jsonl")
      .requiredOption("--out <index>", "index file (embedded) or alias name (opensearch)")
      .option("--analyzer <name>", "english (Lucene EnglishAnalyzer, as Anserini) or standard", "english")
      .option("--layout <layout>", "flat (title + text) or multifield (title and text fields)", "flat")
      .option("--k1 <k1>", "BM25 k1", String(ANSERINI_BM25.k1))
      .option("--b <b>", "BM25 b", String(ANSERINI_BM25.b))
      .option("--analysis <mode>", "opensearch: auto, client (Ferret analyzes) or server", "auto")
      .option("--shards <n>", "opensearch: primary shards", "1"),
  ).action(runIndex);
  common(
    bm25
      .command("search")
      .description("search a BEIR query set and write a TREC run")
      .argument("<index>", "index file (embedded) or alias name (opensearch)")
      .requiredOption("--queries <beir-dir>", "BEIR directory with queries.jsonl (and qrels/ for --split)")
      .option("--split <name>", "only the queries judged in qrels/<name>.tsv")
      .option("-k, --hits <k>", "hits per query", "1000")
      .requiredOption("--out <run>", "TREC run file to write")
      .option(
        "--remove-query",
        "drop a query's own id from the k hits retrieved (Anserini -removeQuery); warns when query ids are document ids",
      )
      .option(
        "--ties <rule>",
        "anserini: ties by document id, scores rounded and written as Anserini does (its published figures); " +
          "lucene: Lucene's tie order and exact float scores",
        "anserini",
      )
      .option("--rm3", "RM3 pseudo-relevance feedback (embedded only)")
      .option("--fb-terms <n>", "RM3 feedback terms", "10")
      .option("--fb-docs <n>", "RM3 feedback documents", "10")
      .option("--original-query-weight <w>", "RM3 weight of the original query", "0.5")
      .option("--threads <n>", "embedded: search threads (1 = no worker pool)")
      .option("--k1 <k1>", "embedded: override the index's BM25 k1")
      .option("--b <b>", "embedded: override the index's BM25 b")
      .option("--tag <tag>", "run tag", "ferret-bm25"),
  ).action((index: string, flags: SearchFlags & { hits: string }) =>
    runSearch(index, { ...flags, k: flags.hits }),
  );
}
