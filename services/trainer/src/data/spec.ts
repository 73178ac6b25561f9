/**
 * The training job spec (YAML or JSON): where queries, positives and negatives come from, how false
 * negatives are filtered, which teacher scores pairs, and how batches are formed. Paths are relative to
 * the spec file. Validated once with zod (strict objects: an unknown or misspelt key is an error that
 * names it); loadJobSpec turns every issue into an InputError naming the field and its line.
 */
import { z } from "zod";

const path = z.string().min(1);

/** 1-based retriever ranks [from, to], inclusive: ranks 4..30 is `[4, 30]`. */
const rankWindow = z
  .tuple([z.int().min(1), z.int().min(1)])
  .refine(([from, to]) => from <= to, { message: "window start must not exceed its end" });

const negativePick = z.enum(["top", "random"]);

const retrieverNegatives = {
  window: rankWindow,
  /** Negatives kept per query from this retriever (after false-negative filtering). */
  count: z.int().min(1).default(1),
  /** "top": the best-ranked survivors; "random": a seeded uniform sample of them. */
  pick: negativePick.default("random"),
};

const bm25Negatives = z.strictObject({
  ...retrieverNegatives,
  k1: z.number().positive().default(0.9),
  b: z.number().min(0).max(1).default(0.4),
});

const denseNegatives = z
  .strictObject({
    ...retrieverNegatives,
    /** A TREC run of a dense retriever over the training queries (e.g. the encoder's Search, saved). */
    run: path.optional(),
    /** Or a live encoder's index, searched over gRPC (Encoder.Search) for the training queries. */
    encoder: z.strictObject({ address: z.string().min(1), index: z.string().min(1) }).optional(),
  })
  .refine((d) => (d.run === undefined) !== (d.encoder === undefined), {
    message: "give exactly one of run or encoder",
  });

const humanPositives = z.strictObject({
  /** Qrels file (BEIR .tsv or TREC); default: the corpus' qrels/<queries.split>.tsv. */
  qrels: path.optional(),
  /** Judgments at or above this grade are positives. */
  minGrade: z.int().default(1),
});

const llmPositives = z.strictObject({
  /** The annotator's labels.jsonl (or a directory holding it). */
  labels: path,
  /** "graded": relevance labels with grade >= minGrade; "utility": utility-selected (UtilSel/UtilRank). */
  mode: z.enum(["graded", "utility"]),
  minGrade: z.int().min(0).max(3).default(2),
});

const positives = z.strictObject({
  human: humanPositives.optional(),
  llm: llmPositives.optional(),
  /**
   * "union": one stage, each query's positives from every source; "curriculum" (research-methods §1):
   * stage 1 on the LLM positives, stage 2 on the human positives of a random fraction of the queries.
   */
  combine: z.enum(["union", "curriculum"]).default("union"),
  humanFraction: z.number().gt(0).max(1).default(0.2),
});

const teacher = z.strictObject({
  /** "cross-encoder" (a ranker model: score of the pair) or "bi-encoder" (an encoder model: inner product). */
  kind: z.enum(["cross-encoder", "bi-encoder"]),
  model: path,
});

const falseNegatives = z.strictObject({
  /** Drop candidates ranked this high or higher by their retriever, whatever the window. */
  skipTop: z.int().min(0).default(0),
  /** Drop negatives the teacher scores at or above this value. */
  maxTeacherScore: z.number().optional(),
  /**
   * Drop negatives whose teacher score is within this relative margin of the query's lowest positive
   * score: keep n only if t(n) < t(p) - margin * |t(p)| (0.05 keeps negatives 5% below the positive).
   */
  relativeMargin: z.number().min(0).max(1).optional(),
});

const tasBalanced = z.strictObject({
  kind: z.literal("tas-balanced"),
  /** Bi-encoder model dir that embeds the queries for clustering. */
  encoder: path,
  clusters: z.int().min(1),
  batchSize: z.int().min(1),
  epochs: z.int().min(1).default(1),
  /** Equal-width margin bins per query (TAS-Balanced uses 10). */
  bins: z.int().min(1).default(10),
  iterations: z.int().min(1).default(25),
});

export const jobSpecSchema = z
  .strictObject({
    version: z.literal(1).default(1),
    name: z.string().min(1).optional(),
    /** BEIR collection directory (corpus.jsonl, queries.jsonl, qrels/<split>.tsv). */
    corpus: path,
    seed: z.int().default(13),
    queries: z
      .strictObject({
        /** Training split: the queries judged in qrels/<split>.tsv. */
        split: z.string().min(1).optional(),
        /** LLM-written queries: the annotator's output dir (queries.jsonl) or the file itself. */
        synthetic: path.optional(),
      })
      .refine((q) => q.split !== undefined || q.synthetic !== undefined, {
        message: "give split, synthetic or both",
      }),
    positives: positives.prefault({}),
    negatives: z
      .strictObject({
        bm25: bm25Negatives.optional(),
        dense: denseNegatives.optional(),
        /** STAR-style random negatives: uniform corpus documents, positives excluded. */
        random: z.strictObject({ count: z.int().min(1) }).optional(),
      })
      .prefault({}),
    falseNegatives: falseNegatives.optional(),
    teacher: teacher.optional(),
    /** Attach teacher scores to every positive and negative (for Margin-MSE / KL distillation). */
    distill: z.boolean().default(false),
    batching: tasBalanced.optional(),
    /** Base model dir the engine fine-tunes. */
    model: path.optional(),
    /** Engine settings (loss, epochs, lr, ...), passed through to the engine as they are. */
    training: z.record(z.string(), z.unknown()).optional(),
    /** Directory for the training-set artifact (default: beside the spec, named after it). */
    output: path.optional(),
  })
  .superRefine((spec, ctx) => {
    const needTeacher = (why: string, at: (string | number)[]) => {
      if (!spec.teacher) ctx.addIssue({ code: "custom", path: at, message: `${why} needs a teacher` });
    };
    if (spec.distill) needTeacher("distill", ["distill"]);
    if (spec.falseNegatives?.maxTeacherScore !== undefined)
      needTeacher("maxTeacherScore", ["falseNegatives", "maxTeacherScore"]);
    if (spec.falseNegatives?.relativeMargin !== undefined)
      needTeacher("relativeMargin", ["falseNegatives", "relativeMargin"]);
    const p = spec.positives;
    if (!p.human && !p.llm && spec.queries.synthetic === undefined)
      ctx.addIssue({ code: "custom", path: ["positives"], message: "give human, llm or synthetic queries" });
    if (p.human && p.human.qrels === undefined && spec.queries.split === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["positives", "human", "qrels"],
        message: "needed when queries.split is not given",
      });
    if (p.combine === "curriculum" && (!p.human || !(p.llm || spec.queries.synthetic)))
      ctx.addIssue({
        code: "custom",
        path: ["positives", "combine"],
        message: "curriculum needs human positives and LLM labels or synthetic queries",
      });
    if (!spec.negatives.bm25 && !spec.negatives.dense && !spec.negatives.random)
      ctx.addIssue({ code: "custom", path: ["negatives"], message: "give bm25, dense or random negatives" });
  });

export type JobSpec = z.infer<typeof jobSpecSchema>;
export type JobSpecInput = z.input<typeof jobSpecSchema>;
export type RankWindow = [from: number, to: number];
export type RetrieverNegativesSpec = z.infer<typeof bm25Negatives> | z.infer<typeof denseNegatives>;
export type TeacherSpec = z.infer<typeof teacher>;
export type FalseNegativeSpec = z.infer<typeof falseNegatives>;
export type TasBalancedSpec = z.infer<typeof tasBalanced>;
