import type { Command } from "commander";
import { SingleBar } from "cli-progress";
import { readTrecRun, writeTrecRun } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import { withByteProgress } from "../progress.js";
import { formatInt } from "../table.js";

/**
 * `ferret rerank <model-dir>`: rerank a first-stage TREC run with a cross-encoder model directory
 * (ferret.json kind "cross-encoder"): each query's top --depth documents are scored on (query, title + " " +
 * text) and re-ordered, in this process (no server). @ferret/ranker is imported when the command runs (it
 * loads ONNX Runtime).
 */

interface RerankFlags {
  run: string;
  corpus: string;
  queries?: string;
  depth: string;
  out: string;
  tag: string;
  keepTail?: boolean;
  int8?: boolean;
  threads: string;
  batchSize: string;
  batchTokens: string;
  lenient?: boolean;
  progress: boolean;
}

function integer(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min)
    throw new InvalidArgumentError(`${flag} must be an integer >= ${min}, got "${value}"`);
  return n;
}

async function runRerank(modelDir: string, flags: RerankFlags): Promise<void> {
  const depth = integer(flags.depth, "--depth", 1);
  const threads = integer(flags.threads, "--threads", 0);
  const maxBatchSize = integer(flags.batchSize, "--batch-size", 1);
  const maxBatchTokens = integer(flags.batchTokens, "--batch-tokens", 1);
  const lenient = flags.lenient === true;
  const { run } = await withByteProgress(
    { label: `reading ${flags.run}`, enabled: flags.progress },
    (onProgress) => readTrecRun(flags.run, { lenient, onProgress }),
  );
  const { CrossEncoderScorer, loadBeirTexts, rerankCandidates, rerankRun } = await import("@ferret/ranker");
  const scorer = await CrossEncoderScorer.load(modelDir, {
    variant: flags.int8 === true ? "quantized" : "fp32",
    intraOpNumThreads: threads,
    maxBatchSize,
    maxBatchTokens,
  });
  try {
    const docIds = new Set<string>();
    for (const ids of rerankCandidates(run, depth).values()) for (const id of ids) docIds.add(id);
    let texts = await withByteProgress(
      { label: `reading ${flags.corpus}`, enabled: flags.progress },
      (onProgress) => loadBeirTexts(flags.corpus, docIds, { lenient, onProgress }),
    );
    if (flags.queries !== undefined) {
      const queries = await loadBeirTexts(flags.queries, new Set(), { lenient });
      const corpus = texts;
      texts = { label: corpus.label, query: (id) => queries.query(id), passage: (id) => corpus.passage(id) };
    }
    const bar =
      flags.progress && process.stderr.isTTY === true
        ? new SingleBar({
            stream: process.stderr,
            format: "scoring [{bar}] {value}/{total} pairs | ETA {eta}s",
          })
        : undefined;
    const started = performance.now();
    const result = await rerankRun(run, texts, scorer, {
      depth,
      keepTail: flags.keepTail === true,
      onProgress: (done, total) => {
        if (bar === undefined) return;
        if (done === 0 || bar.getTotal() !== total) bar.start(total, done);
        else bar.update(done);
      },
    });
    bar?.stop();
    const seconds = (performance.now() - started) / 1000;
    await writeTrecRun(flags.out, result.run, { tag: flags.tag });
    process.stdout.write(
      `reranked ${formatInt(result.run.size)} queries (${formatInt(result.pairsScored)} pairs, depth ${depth}) with ${scorer.name}${flags.int8 === true ? " (int8)" : ""} in ${seconds.toFixed(1)} s (${formatInt(Math.round(result.pairsScored / Math.max(seconds, 1e-9)))} pairs/s) -> ${flags.out}\n`,
    );
  } finally {
    await scorer.close();
  }
}

export function register(program: Command): void {
  program
    .command("rerank")
    .description("rerank a TREC run with a cross-encoder model directory (ONNX, in this process)")
    .argument(
      "<model-dir>",
      "cross-encoder model directory (tokenizer.json, config.json, model.onnx, ferret.json)",
    )
    .requiredOption("--run <file>", "first-stage TREC run to rerank (e.g. BM25)")
    .requiredOption("--corpus <beir-dir>", "BEIR directory with corpus.jsonl (and queries.jsonl)")
    .option("--queries <beir-dir>", "take queries.jsonl from this BEIR directory instead")
    .option("--depth <n>", "documents reranked per query", "100")
    .option("--keep-tail", "keep documents below --depth, after the reranked ones, in first-stage order")
    .requiredOption("--out <file>", "TREC run file to write")
    .option("--tag <tag>", "run tag", "ferret-rerank")
    .option("--int8", "use the model's quantized (int8) ONNX file")
    .option("--threads <n>", "ONNX Runtime threads (0 = one per core)", "0")
    .option("--batch-size <n>", "most pairs per model batch", "32")
    .option("--batch-tokens <n>", "most padded tokens per model batch", "16384")
    .option("--lenient", "skip malformed lines (and count them) instead of failing")
    .option("--no-progress", "never show a progress bar")
    .action(runRerank);
}
