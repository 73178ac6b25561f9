/** Proto messages <-> annotator work items and job progress. */
import { InvalidArgumentError } from "@ferret/errors";
import { toJobStatus } from "@ferret/jobs";
import {
  UtilityVariant,
  type AnnotationJobStatus,
  type Document,
  type SubmitAnnotationJobRequest,
} from "@ferret/proto";
import type { AnnotationProgress } from "../jobs/job-types.js";
import type { RelevanceLevel } from "../tasks/graded-documents.js";
import type { PassageText } from "../tasks/passage-format.js";
import type { QueryStyle, QueryType } from "../tasks/synthetic-queries.js";
import type { WorkItem } from "../work-items.js";
import { serverPools, type ServerPoolOptions } from "./server-pools.js";

export function passageOf(doc: Document): PassageText {
  return { id: doc.id, ...(doc.title ? { title: doc.title } : {}), text: doc.text };
}

const QUERY_TYPES: readonly string[] = ["keyword", "question", "claim"];
const QUERY_STYLES: readonly string[] = ["few-shot", "summarize-then-ask"];

export async function itemsOf(
  request: SubmitAnnotationJobRequest,
  pools: ServerPoolOptions = {},
  signal?: AbortSignal,
): Promise<{ kind: string; items: WorkItem[] }> {
  const work = request.work;
  if (!work) throw new InvalidArgumentError("SubmitJob needs one of relevance, utility, queries, documents");
  switch (work.$case) {
    case "relevance":
      if (work.value.pools) {
        const pooled = await serverPools(work.value.pools, pools, signal);
        return {
          kind: "relevance",
          items: pooled.flatMap(({ query, passages }) =>
            passages.map((passage) => ({ kind: "relevance" as const, query, passage })),
          ),
        };
      }
      return {
        kind: "relevance",
        items: work.value.pairs.map((p) => {
          if (!p.query || !p.passage)
            throw new InvalidArgumentError("every relevance pair needs a query and a passage");
          return {
            kind: "relevance",
            query: { id: p.query.id, text: p.query.text },
            passage: passageOf(p.passage),
          };
        }),
      };
    case "utility": {
      const variant = work.value.variant === UtilityVariant.UTILITY_VARIANT_RANKING ? "ranking" : "selection";
      const topPercent = work.value.topPercent > 0 ? { topPercent: work.value.topPercent } : {};
      if (work.value.pools) {
        const pooled = await serverPools(work.value.pools, pools, signal);
        return {
          kind: "utility",
          items: pooled.map(({ query, passages }) => ({
            kind: "utility" as const,
            query,
            passages,
            variant,
            ...topPercent,
          })),
        };
      }
      return {
        kind: "utility",
        items: work.value.queries.map((q) => {
          if (!q.query) throw new InvalidArgumentError("every utility query needs a query");
          return {
            kind: "utility",
            query: { id: q.query.id, text: q.query.text },
            passages: q.candidates.map(passageOf),
            variant,
            ...topPercent,
          };
        }),
      };
    }
    case "queries": {
      const type = work.value.type || "question";
      const style = work.value.style || "few-shot";
      if (!QUERY_TYPES.includes(type))
        throw new InvalidArgumentError(`query type must be one of ${QUERY_TYPES.join(", ")}`);
      if (!QUERY_STYLES.includes(style))
        throw new InvalidArgumentError(`query style must be one of ${QUERY_STYLES.join(", ")}`);
      return {
        kind: "queries",
        items: work.value.passages.map((p) => ({
          kind: "query",
          passage: passageOf(p),
          type: type as QueryType,
          style: style as QueryStyle,
        })),
      };
    }
    case "documents": {
      const levels = work.value.levels.length ? work.value.levels : [3, 2, 1, 0];
      for (const l of levels)
        if (![0, 1, 2, 3].includes(l)) throw new InvalidArgumentError(`level ${l} is not 0-3`);
      return {
        kind: "documents",
        items: work.value.queries.flatMap((q) =>
          levels.map((level) => ({
            kind: "document" as const,
            query: { id: q.id, text: q.text },
            level: level as RelevanceLevel,
          })),
        ),
      };
    }
  }
}

/** The job's wire status: progress in items (the record counts batches), kind `annotate.<task>`. */
export function statusOf(p: AnnotationProgress): AnnotationJobStatus {
  const status = toJobStatus(p.job, {
    message: `${p.labelsOk} labels ok, ${p.labelsFailed} failed`,
    outputs: p.job.result?.outputs ?? [],
  });
  return {
    status: {
      ...status,
      job: { jobId: p.job.jobId, kind: `annotate.${p.job.spec.task}` },
      progress: { ...status.progress!, done: p.itemsDone, total: p.job.spec.totalItems, unit: "items" },
    },
    itemsDone: p.itemsDone,
    labelsOk: p.labelsOk,
    labelsFailed: p.labelsFailed,
    llmCalls: p.llmCalls,
    promptTokens: p.promptTokens,
    completionTokens: p.completionTokens,
    costUsd: p.costUsd,
  };
}
