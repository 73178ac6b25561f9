/**
 * Between wire messages (proto/ferret/v1) and the ranker's in-memory types: inline runs (checked like the
 * TREC reader checks files: empty ids, non-finite scores and duplicate pairs are InputErrors naming the
 * field), reranked runs in trec_eval order with 1-based ranks, and job records as JobStatus.
 */
import { rankByTrecOrder, type Run } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import { toJobStatus } from "@ferret/jobs";
import type { JobStatus, Run as RunMessage } from "@ferret/proto";
import type { ScoreJobRecord } from "../jobs/score-job-record.js";

export function runFromMessage(message: RunMessage, label: string): Run {
  const run: Run = new Map();
  message.rankings.forEach((ranking, r) => {
    const at = `rankings[${r}]`;
    if (ranking.queryId === "")
      throw new InputError({ file: label, field: `${at}.query_id` }, "empty query id");
    let docs = run.get(ranking.queryId);
    if (docs === undefined) run.set(ranking.queryId, (docs = new Map()));
    ranking.docs.forEach(({ docId, score }, d) => {
      const field = `${at}.docs[${d}]`;
      if (docId === "") throw new InputError({ file: label, field: `${field}.doc_id` }, "empty document id");
      if (!Number.isFinite(score)) {
        throw new InputError({ file: label, field: `${field}.score` }, `not a finite number: ${score}`);
      }
      if (docs.has(docId)) {
        throw new InputError(
          { file: label, field: `${field}.doc_id` },
          `duplicate document "${docId}" for query "${ranking.queryId}"`,
        );
      }
      docs.set(docId, score);
    });
  });
  return run;
}

/** Each query's documents in trec_eval order (score desc, doc id desc), ranked 1..n. */
export function runToMessage(run: Run, name: string): RunMessage {
  return {
    name,
    rankings: [...run].map(([queryId, docs]) => ({
      queryId,
      docs: rankByTrecOrder(docs).map(([docId, score], i) => ({ docId, score, rank: i + 1 })),
    })),
  };
}

export function jobStatusOf(record: ScoreJobRecord): JobStatus {
  const { totalPairs, model, quantized } = record.spec;
  return toJobStatus(record, {
    message: `${totalPairs} pairs, model ${model}${quantized ? " (quantized)" : ""}`,
    outputs:
      record.result === undefined ? [] : [{ ...record.result, mediaType: "text/tab-separated-values" }],
  });
}
