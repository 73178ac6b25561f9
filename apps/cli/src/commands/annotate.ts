import { join } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";
import {
  annotateCollection,
  Annotator,
  CallLimiter,
  FileOutcomeCache,
  LlamaCppBackend,
  OpenAiBackend,
  openAnnotationStore,
  type AnnotateCollectionOptions,
  type AnnotateTaskName,
  type AnnotationProgress,
  type LlmBackend,
  type QueryStyle,
  type QueryType,
  type RelevanceLevel,
} from "@ferret/annotator";
import { createBus } from "@ferret/bus";
import { InvalidArgumentError } from "@ferret/errors";
import { grpcTlsOf, withGrpcTlsOptions, type GrpcTlsFlags } from "../grpc-tls.js";
import { cliNatsAuth } from "../nats-auth.js";

/**
 * `ferret annotate relevance|utility|queries|documents`: LLM labels for a BEIR collection, written to
 * <out>/labels.jsonl (with provenance), <out>/qrels.trec and qrels.tsv (+ agreement.json against human
 * qrels, queries.jsonl / corpus.jsonl for synthetic data). The LLM is an OpenAI-compatible server
 * (--llm-base-url, --llm-model, $FERRET_LLM_API_KEY) or a local GGUF (--gguf). Runs embedded by default
 * (in-process bus, outcome cache on disk: a rerun costs nothing); with --nats-url the job goes on the
 * cluster's work queue, shared with annotator replicas. Dense candidates join the BM25 pools from a
 * run file (--dense-run) or a live encoder (--encoder host:port --dense-index name, TLS: --tls-*). A job that fails
 * (its batches given up, e.g. with the LLM endpoint down) ends the command with exit code 1 and the
 * job's error.
 */

interface Flags extends GrpcTlsFlags {
  corpus: string;
  queries?: string;
  split?: string;
  candidates: string;
  limit?: string;
  denseRun?: string;
  encoder?: string;
  denseIndex?: string;
  out: string;
  llmBaseUrl?: string;
  llmModel?: string;
  gguf?: string;
  structuredOutput: string;
  concurrency: string;
  rate?: string;
  timeoutMs: string;
  natsUrl?: string;
  namePrefix: string;
  maxAttempts: string;
  cacheDir?: string;
  jobId?: string;
  batchSize: string;
  progress: boolean;
  // task specific
  variant?: string;
  topPercent?: string;
  type?: string;
  style?: string;
  roundTrip?: string;
  levels?: string;
  priceIn?: string;
  priceOut?: string;
}

function int(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`${flag} must be a non-negative integer, got "${value}"`);
  return n;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`${flag} must be one of ${allowed.join(", ")}, got "${value}"`);
  }
  return value as T;
}

async function backendOf(flags: Flags): Promise<LlmBackend> {
  if (flags.gguf) return LlamaCppBackend.open({ modelPath: flags.gguf });
  if (!flags.llmBaseUrl || !flags.llmModel) {
    throw new InvalidArgumentError(
      "give --llm-base-url and --llm-model (OpenAI-compatible server) or --gguf <file>",
    );
  }
  const apiKey = process.env.FERRET_LLM_API_KEY;
  return new OpenAiBackend({
    baseUrl: flags.llmBaseUrl,
    model: flags.llmModel,
    ...(apiKey ? { apiKey } : {}),
    timeoutMs: int(flags.timeoutMs, "--timeout-ms"),
    structuredOutput: oneOf(
      flags.structuredOutput,
      ["json_schema", "json_object", "none"] as const,
      "--structured-output",
    ),
  });
}

function progressBar(enabled: boolean): { update(p: AnnotationProgress): void; stop(): void } {
  const stream = process.stderr;
  let bar: SingleBar | undefined;
  return {
    update(p) {
      if (!enabled || stream.isTTY !== true) return;
      const payload = {
        ok: p.labelsOk,
        failed: p.labelsFailed,
        calls: p.llmCalls,
        tokens: p.promptTokens + p.completionTokens,
      };
      if (!bar) {
        bar = new SingleBar(
          {
            stream,
            format:
              "annotate [{bar}] {percentage}% | {value} / {total} items | {ok} ok {failed} failed | {calls} LLM calls, {tokens} tokens | ETA {eta_formatted}",
            clearOnComplete: true,
          },
          Presets.shades_classic,
        );
        bar.start(p.job.spec.totalItems, 0, payload);
      }
      bar.update(p.itemsDone, payload);
    },
    stop() {
      bar?.stop();
    },
  };
}

async function run(task: AnnotateTaskName, flags: Flags): Promise<void> {
  if (Boolean(flags.encoder) !== Boolean(flags.denseIndex))
    throw new InvalidArgumentError("--encoder and --dense-index go together");
  const backend = await backendOf(flags);
  const bus = flags.natsUrl
    ? await createBus({ kind: "nats", url: flags.natsUrl, name: "ferret-cli-annotate", auth: cliNatsAuth() })
    : await createBus({ kind: "memory", dir: join(flags.out, ".bus") });
  const bar = progressBar(flags.progress);
  try {
    const store = await openAnnotationStore(bus, { prefix: flags.namePrefix });
    const cache = flags.natsUrl
      ? store.cache
      : new FileOutcomeCache(flags.cacheDir ?? join(flags.out, ".cache"));
    const annotator = new Annotator({
      backend,
      cache,
      limiter: new CallLimiter({
        concurrency: int(flags.concurrency, "--concurrency"),
        ...(flags.rate ? { ratePerSecond: Number(flags.rate) } : {}),
      }),
      retry: { maxAttempts: Math.max(1, int(flags.maxAttempts, "--max-attempts")) },
    });
    const options: AnnotateCollectionOptions = {
      task,
      corpus: flags.corpus,
      ...(flags.queries ? { queries: flags.queries } : {}),
      ...(flags.split ? { split: flags.split } : {}),
      candidates: int(flags.candidates, "--candidates"),
      ...(flags.limit ? { limit: int(flags.limit, "--limit") } : {}),
      ...(flags.denseRun ? { denseRun: flags.denseRun } : {}),
      ...(flags.encoder
        ? { encoder: { address: flags.encoder, index: flags.denseIndex!, tls: grpcTlsOf(flags) } }
        : {}),
      out: flags.out,
      annotator,
      store,
      ...(flags.jobId ? { jobId: flags.jobId } : {}),
      batchSize: int(flags.batchSize, "--batch-size"),
      itemConcurrency: int(flags.concurrency, "--concurrency"),
      ...(flags.priceIn || flags.priceOut
        ? {
            pricing: {
              promptPerMillion: Number(flags.priceIn ?? 0),
              completionPerMillion: Number(flags.priceOut ?? 0),
            },
          }
        : {}),
      onProgress: (p) => bar.update(p),
    };
    if (task === "utility") {
      options.utility = {
        variant: oneOf(flags.variant ?? "selection", ["selection", "ranking"] as const, "--variant"),
        ...(flags.topPercent ? { topPercent: Number(flags.topPercent) } : {}),
      };
    }
    if (task === "queries") {
      options.queryGen = {
        type: oneOf<QueryType>(flags.type ?? "question", ["keyword", "question", "claim"], "--type"),
        style: oneOf<QueryStyle>(flags.style ?? "few-shot", ["few-shot", "summarize-then-ask"], "--style"),
        ...(flags.roundTrip ? { roundTripK: int(flags.roundTrip, "--round-trip") } : {}),
      };
    }
    if (task === "documents" && flags.levels) {
      options.documentLevels = flags.levels
        .split(",")
        .map((l) => oneOf(l.trim(), ["0", "1", "2", "3"], "--levels"))
        .map(Number) as RelevanceLevel[];
    }
    const result = await annotateCollection(options);
    bar.stop();
    const p = result.progress;
    console.log(
      `job ${result.jobId}: ${p.labelsOk} labels ok, ${p.labelsFailed} failed; ${p.llmCalls} LLM calls, ` +
        `${p.promptTokens} prompt + ${p.completionTokens} completion tokens` +
        (p.costUsd > 0 ? `, $${p.costUsd.toFixed(4)}` : ""),
    );
    console.log(
      `wrote ${result.written.labelsPath}, ${result.written.qrelsTrecPath}, ${result.written.qrelsTsvPath}`,
    );
    if (result.agreement) {
      const a = result.agreement;
      console.log(
        `agreement with human qrels on ${a.pairs} pairs: kappa ${a.kappa.toFixed(3)} (linear ${a.kappaLinear.toFixed(3)}, ` +
          `binary@${a.threshold} ${a.kappaBinary.toFixed(3)}), accuracy ${a.accuracy.toFixed(3)}`,
      );
    }
    if (result.roundTrip)
      console.log(`round trip: kept ${result.roundTrip.kept}, dropped ${result.roundTrip.dropped}`);
  } finally {
    bar.stop();
    await bus.close();
    await backend.close();
  }
}

function common(cmd: Command): Command {
  return withGrpcTlsOptions(cmd)
    .requiredOption("--corpus <beir-dir>", "BEIR directory with corpus.jsonl")
    .option("--queries <beir-dir>", "BEIR directory with queries.jsonl and qrels/ (default: --corpus)")
    .option("--split <name>", "only the queries of this qrels split (its human positives join the pools)")
    .option("--candidates <k>", "candidates per retriever (BM25, dense)", "20")
    .option("--limit <n>", "at most n queries (queries: passages)")
    .option("--dense-run <trec-run>", "a dense retriever's run to merge into the candidate pools")
    .option("--encoder <host:port>", "or a live encoder (gRPC) whose --dense-index supplies dense candidates")
    .option("--dense-index <name>", "the encoder index searched for dense candidates")
    .requiredOption("--out <dir>", "output directory")
    .option(
      "--llm-base-url <url>",
      "OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (key: $FERRET_LLM_API_KEY)",
    )
    .option("--llm-model <name>", "model name sent to the endpoint")
    .option("--gguf <file>", "run a local GGUF with node-llama-cpp instead")
    .option("--structured-output <mode>", "json_schema | json_object | none", "json_schema")
    .option("--concurrency <n>", "LLM calls in flight", "8")
    .option("--rate <per-second>", "LLM calls started per second")
    .option("--timeout-ms <ms>", "per-call timeout", "60000")
    .option("--max-attempts <n>", "tries per LLM call (transient failures retried with backoff)", "5")
    .option("--nats-url <url>", "run the job on the cluster's NATS work queue")
    .option("--name-prefix <prefix>", "prefix of the job's NATS queue and buckets", "annotator")
    .option("--cache-dir <dir>", "outcome cache for embedded runs (default <out>/.cache)")
    .option("--job-id <id>", "job id (default: derived from the inputs, so a rerun resumes)")
    .option("--batch-size <n>", "items per queue message", "16")
    .option("--price-in <usd>", "USD per 1M prompt tokens (cost report)")
    .option("--price-out <usd>", "USD per 1M completion tokens (cost report)")
    .option("--no-progress", "no progress bar");
}

export function register(program: Command): void {
  const annotate = program
    .command("annotate")
    .description("LLM relevance/utility labels, synthetic queries and documents");
  common(annotate.command("relevance").description("pointwise graded relevance 0-3 (UMBRELA-style)")).action(
    (f: Flags) => run("relevance", f),
  );
  common(
    annotate
      .command("utility")
      .description("listwise RelSel -> pseudo-answer -> UtilSel/UtilRank (Zhang et al. 2025)"),
  )
    .option("--variant <v>", "selection | ranking", "selection")
    .option("--top-percent <k>", "UtilRank: percent kept (default 10)")
    .action((f: Flags) => run("utility", f));
  common(annotate.command("queries").description("synthetic queries for passages"))
    .option("--type <t>", "keyword | question | claim", "question")
    .option("--style <s>", "few-shot | summarize-then-ask", "few-shot")
    .option("--round-trip <k>", "keep a query only if BM25 ranks its passage in the top k")
    .action((f: Flags) => run("queries", f));
  common(annotate.command("documents").description("graded synthetic documents per query (SyCL-style)"))
    .option("--levels <list>", "levels to write", "3,2,1,0")
    .action((f: Flags) => run("documents", f));
}
