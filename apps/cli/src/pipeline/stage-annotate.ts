/**
 * annotate: LLM labels through the annotator's job (annotateCollection: work items submitted on the bus,
 * an annotation worker on it): graded relevance or utility for the training queries' candidates, or
 * synthetic queries written from corpus passages. The LLM's answers are cached in the stage's work
 * directory, so an interrupted run asks the LLM again only for what it had not answered.
 */
import { join } from "node:path";
import {
  annotateCollection,
  Annotator,
  CallLimiter,
  FileOutcomeCache,
  openAnnotationStore,
} from "@ferret/annotator";
import { openLlm } from "./llm-backend.js";
import type { StageDefinition } from "./stages.js";

const LOCAL_ACK_WAIT_MS = 15 * 60_000;
const SERVER_ACK_WAIT_MS = 5 * 60_000;

export const annotateStage: StageDefinition = {
  name: "annotate",
  title: "annotate: LLM labels",
  enabled: ({ spec }) => spec.stages.annotate !== undefined,
  needs: () => [],
  keyInputs: ({ spec }) => {
    const a = spec.stages.annotate!;
    const { gguf: _gguf, threads: _threads, ...llm } = a.llm;
    const judged = a.task === "relevance" || a.task === "utility";
    return {
      config: { ...a, llm, split: judged ? spec.dataset.train : undefined },
      paths: {
        corpus: join(spec.dataset.dir, "corpus.jsonl"),
        ...(a.task === "queries" ? {} : { queries: join(spec.dataset.dir, "queries.jsonl") }),
        ...(judged && spec.dataset.train
          ? { qrels: join(spec.dataset.dir, "qrels", `${spec.dataset.train}.tsv`) }
          : {}),
        ...(a.llm.gguf ? { gguf: a.llm.gguf } : {}),
      },
    };
  },
  async run(ctx) {
    const { spec } = ctx.pipeline;
    const a = spec.stages.annotate!;
    const backend = await openLlm(a.llm);
    try {
      const id = `annotate-${ctx.key.slice(0, 16)}`;
      const local = a.llm.gguf !== undefined;
      // A local model on a busy CPU can take minutes over one call: batches are small and their deliveries
      // wait long before they count as lost.
      const store = await openAnnotationStore(ctx.bus, {
        prefix: id,
        ackWaitMs: local ? LOCAL_ACK_WAIT_MS : SERVER_ACK_WAIT_MS,
      });
      const annotator = new Annotator({
        backend,
        cache: new FileOutcomeCache(join(ctx.workDir, "llm-cache")),
        // A local model answers one call at a time; a server takes several.
        limiter: new CallLimiter({ concurrency: local ? 1 : a.concurrency }),
        retry: { maxAttempts: 3 },
      });
      const judged = a.task === "relevance" || a.task === "utility";
      const result = await annotateCollection({
        task: a.task,
        corpus: spec.dataset.dir,
        ...(judged && spec.dataset.train ? { split: spec.dataset.train } : {}),
        candidates: a.candidates,
        ...(a.passages !== undefined ? { limit: a.passages } : {}),
        out: ctx.dir,
        annotator,
        store,
        jobId: id,
        itemConcurrency: local ? 1 : a.concurrency,
        batchSize: local ? 4 : 32,
        ...(a.task === "queries" ? { queryGen: { type: a.queryType, style: a.queryStyle } } : {}),
        ...(a.task === "utility" ? { utility: { variant: "selection" as const } } : {}),
        onProgress: (p) => ctx.progress(p.itemsDone, p.job.spec.totalItems, "items labelled"),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
      });
      const p = result.progress;
      return {
        jobId: result.jobId,
        labelsOk: p.labelsOk,
        labelsFailed: p.labelsFailed,
        llmCalls: p.llmCalls,
        promptTokens: p.promptTokens,
        completionTokens: p.completionTokens,
        costUsd: p.costUsd,
        ...(result.agreement ? { kappa: result.agreement.kappa, pairs: result.agreement.pairs } : {}),
      };
    } finally {
      await backend.close();
    }
  },
};
