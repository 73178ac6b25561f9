/**
 * The pipeline spec (YAML or JSON): the dataset and which queries train and test, each stage's config,
 * the baselines, and the output directory. Validated once with zod (strict objects: a misspelt key is an
 * error that names it); loadPipelineSpec reports every issue with its key path and line. The train stage
 * embeds the trainer's job spec (label mixing, negatives, teacher, loss via `training`) or names a job
 * spec file, so the two never drift apart.
 */
import { jobSpecSchema } from "@ferret/trainer";
import { z } from "zod";

const path = z.string().min(1);
const split = z.string().min(1);

const dataset = z.strictObject({
  /** BEIR directory: corpus.jsonl, queries.jsonl, qrels/<split>.tsv. */
  dir: path,
  /** Split whose queries train (absent when every training query is synthetic). */
  train: split.optional(),
  /** Split for tuning (the hybrid α); never the test split. */
  dev: split.optional(),
  /** Split every system is evaluated on. */
  test: split,
});

const llm = z
  .strictObject({
    /** OpenAI-compatible endpoint and model, or a local GGUF file. */
    baseUrl: z.string().url().optional(),
    model: z.string().min(1).optional(),
    gguf: path.optional(),
    /**
     * A local GGUF's CPU threads (node-llama-cpp). 1 keeps generation steady on a CPU other work shares:
     * llama.cpp's threads wait on each other, and a descheduled one stalls every token.
     */
    threads: z.int().min(1).optional(),
  })
  .refine((l) => l.gguf !== undefined || (l.baseUrl !== undefined && l.model !== undefined), {
    message: "give baseUrl and model (an OpenAI-compatible server) or gguf (a local model file)",
  });

const annotate = z.strictObject({
  /** The annotator's task: graded relevance, listwise utility, synthetic queries, or generated documents. */
  task: z.enum(["relevance", "utility", "queries", "documents"]),
  llm,
  /** Candidates retrieved per query for the LLM to judge. */
  candidates: z.int().min(1).default(20),
  /** Synthetic queries: the first `passages` corpus passages each get one query. */
  passages: z.int().min(1).optional(),
  /** Synthetic queries: what kind of query, and how it is written (SWIM-IR's summarize-then-ask). */
  queryType: z.enum(["keyword", "question", "claim"]).default("question"),
  queryStyle: z.enum(["few-shot", "summarize-then-ask"]).default("summarize-then-ask"),
  /** LLM calls in flight for a server (a local GGUF answers one at a time). */
  concurrency: z.int().min(1).default(8),
});

/**
 * The trainer's job spec, inline (its `corpus` defaults to dataset.dir and its `queries.split` to
 * dataset.train) or the path of a job spec file.
 */
const train = z.strictObject({ job: z.union([path, jobSpecSchema]) });

const evaluate = z.strictObject({
  measures: z.array(z.string().min(1)).min(1).default(["ndcg_cut_10", "recall_100", "map", "recip_rank"]),
  /** Paired test against the first baseline; Holm's correction over the systems compared with it. */
  test: z.enum(["t-test", "fisher"]).default("t-test"),
  alpha: z.number().gt(0).lt(1).default(0.05),
  /** Cut-offs of the recall@k curves. */
  recallCurve: z.array(z.int().min(1)).min(1).default([1, 3, 5, 10, 20, 50, 100]),
});

const tuneOn = z.enum(["train", "dev"], {
  error: (issue) =>
    issue.input === "test" ? "never tune on the test split: use train or dev" : 'expected "train" or "dev"',
});

const baselines = z.strictObject({
  bm25: z
    .strictObject({ k1: z.number().positive().default(0.9), b: z.number().min(0).max(1).default(0.4) })
    .optional(),
  /** The base dense model (an encoder model dir), before training. */
  dense: z.strictObject({ model: path }).optional(),
  /** Dense/BM25 interpolation; α is picked by `measure` on `tuneOn` from `alphas`. */
  hybrid: z
    .strictObject({
      alphas: z
        .array(z.number().min(0).max(1))
        .min(1)
        .default([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]),
      tuneOn,
      measure: z.string().min(1).default("ndcg_cut_10"),
    })
    .optional(),
  /** Cross-encoder reranking (a ranker model dir) of the first stage's top `depth`. */
  rerank: z
    .strictObject({
      model: path,
      depth: z.int().min(1).default(100),
      first: z.enum(["bm25", "dense", "hybrid"]).default("bm25"),
    })
    .optional(),
});

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);

/** Where the annotate stage's output lands (stage-store.ts's layout), relative to the spec like `output`. */
export const annotateOutputOf = (output: string): string => `${output}/stages/annotate`;

/**
 * An inline job spec takes its corpus and training split from the dataset, its base model from the dense
 * baseline, and the annotate stage's output (synthetic queries, or LLM labels as positives) unless it
 * names its own.
 */
function fillInlineJob(raw: unknown): unknown {
  if (!isRecord(raw) || !isRecord(raw.dataset) || !isRecord(raw.stages) || !isRecord(raw.stages.train))
    return raw;
  const job = raw.stages.train.job;
  if (!isRecord(job)) return raw;
  const filled: Raw = { ...job };
  if (filled.corpus === undefined) filled.corpus = raw.dataset.dir;
  const dense = isRecord(raw.baselines) && isRecord(raw.baselines.dense) ? raw.baselines.dense : undefined;
  if (filled.model === undefined && dense?.model !== undefined) filled.model = dense.model;
  const annotate = isRecord(raw.stages.annotate) ? raw.stages.annotate : undefined;
  const annotated = typeof raw.output === "string" ? annotateOutputOf(raw.output) : undefined;
  const queries = isRecord(filled.queries) ? { ...filled.queries } : {};
  if (queries.split === undefined && queries.synthetic === undefined) {
    if (raw.dataset.train !== undefined) queries.split = raw.dataset.train;
    if (annotate?.task === "queries" && annotated !== undefined) queries.synthetic = annotated;
  }
  if (queries.split !== undefined || queries.synthetic !== undefined) filled.queries = queries;
  if ((annotate?.task === "relevance" || annotate?.task === "utility") && annotated !== undefined) {
    const positives = isRecord(filled.positives) ? filled.positives : {};
    if (positives.llm === undefined)
      filled.positives = {
        ...positives,
        llm: { labels: annotated, mode: annotate.task === "utility" ? "utility" : "graded" },
      };
  }
  return { ...raw, stages: { ...raw.stages, train: { ...raw.stages.train, job: filled } } };
}

export const pipelineSpecSchema = z.preprocess(
  fillInlineJob,
  z
    .strictObject({
      version: z.literal(1).default(1),
      name: z.string().min(1).optional(),
      seed: z.int().default(13),
      dataset,
      stages: z
        .strictObject({
          annotate: annotate.optional(),
          train: train.optional(),
          evaluate: evaluate.prefault({}),
        })
        .prefault({}),
      baselines: baselines.prefault({}),
      /** Run directory: stage artifacts, report.json and report.html. */
      output: path,
    })
    .superRefine((spec, ctx) => {
      const { hybrid, rerank, dense, bm25 } = spec.baselines;
      if (hybrid?.tuneOn === "dev" && spec.dataset.dev === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["baselines", "hybrid", "tuneOn"],
          message: "needs dataset.dev",
        });
      if (hybrid?.tuneOn === "train" && spec.dataset.train === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["baselines", "hybrid", "tuneOn"],
          message: "needs dataset.train",
        });
      if (hybrid && !dense)
        ctx.addIssue({ code: "custom", path: ["baselines", "hybrid"], message: "needs baselines.dense" });
      for (const s of [spec.dataset.train, spec.dataset.dev])
        if (s !== undefined && s === spec.dataset.test)
          ctx.addIssue({
            code: "custom",
            path: ["dataset", s === spec.dataset.train ? "train" : "dev"],
            message: `must differ from the test split "${spec.dataset.test}"`,
          });
      if (rerank?.first === "dense" && !dense)
        ctx.addIssue({
          code: "custom",
          path: ["baselines", "rerank", "first"],
          message: "needs baselines.dense",
        });
      if (rerank?.first === "hybrid" && !hybrid)
        ctx.addIssue({
          code: "custom",
          path: ["baselines", "rerank", "first"],
          message: "needs baselines.hybrid",
        });
      if (!bm25 && !dense && !spec.stages.train)
        ctx.addIssue({ code: "custom", path: ["baselines"], message: "give a baseline or a train stage" });
    }),
);

export type PipelineSpec = z.infer<typeof pipelineSpecSchema>;
export type PipelineSpecInput = z.input<typeof pipelineSpecSchema>;
