/**
 * The gRPC Annotator: Judge runs small relevance or utility judgments synchronously (through the
 * cache); SubmitJob splits a job onto the work queue (workers, in this process or other replicas, do
 * the work), with candidate pools from the client or built here (server-pools.ts); WatchJob streams
 * the job's record on every change until it ends (@ferret/jobs watch); CancelJob stops it. Every RPC
 * is timed and counted (service-metrics.ts).
 */
import { randomUUID } from "node:crypto";
import { CancelledError, InvalidArgumentError } from "@ferret/errors";
import { defineService, type ServiceRegistration } from "@ferret/grpc";
import { AnnotatorService, JudgeTask } from "@ferret/proto";
import type { Annotator } from "../annotator.js";
import { progressOf } from "../jobs/annotation-progress.js";
import type { AnnotationStore } from "../jobs/annotation-store.js";
import { submitJob } from "../jobs/submit-job.js";
import { itemsOf, passageOf, statusOf } from "./proto-convert.js";
import type { ServerPoolOptions } from "./server-pools.js";
import { judgeRelevance, judgeUtility } from "./judge.js";
import { noMetrics, type AnnotatorMetrics } from "./service-metrics.js";

export const MAX_JUDGE_PASSAGES = 32;

export interface AnnotatorServiceOptions {
  store: AnnotationStore;
  annotator: Annotator;
  /** Where server-side candidate pools come from (corpora root, encoder, OpenSearch). */
  pools?: ServerPoolOptions;
  metrics?: AnnotatorMetrics;
}

export function annotatorService(options: AnnotatorServiceOptions): ServiceRegistration {
  const { store, annotator } = options;
  const metrics = options.metrics ?? noMetrics;
  return defineService(AnnotatorService, {
    judge: (request, { signal }) =>
      metrics.timeCall("Judge", async () => {
        if (!request.query) throw new InvalidArgumentError("Judge needs a query");
        if (request.passages.length > MAX_JUDGE_PASSAGES) {
          throw new InvalidArgumentError(
            `Judge takes at most ${MAX_JUDGE_PASSAGES} passages; submit a job for more`,
          );
        }
        const query = { id: request.query.id, text: request.query.text };
        const passages = request.passages.map(passageOf);
        const judgments =
          request.task === JudgeTask.JUDGE_TASK_UTILITY_SELECTION ||
          request.task === JudgeTask.JUDGE_TASK_UTILITY_RANKING
            ? await judgeUtility(annotator, query, passages, {
                variant: request.task === JudgeTask.JUDGE_TASK_UTILITY_RANKING ? "ranking" : "selection",
                ...(request.topPercent > 0 ? { topPercent: request.topPercent } : {}),
                signal,
              })
            : await judgeRelevance(annotator, query, passages, signal);
        return { judgments };
      }),
    submitJob: (request, { signal }) =>
      metrics.timeCall("SubmitJob", async () => {
        const { kind, items } = await itemsOf(request, options.pools, signal);
        const jobId = request.jobId || randomUUID();
        const job = await submitJob(store, {
          jobId,
          kind,
          items,
          ...(request.batchSize ? { batchSize: request.batchSize } : {}),
          ...(request.pricing
            ? {
                pricing: {
                  promptPerMillion: request.pricing.promptUsdPerMillion,
                  completionPerMillion: request.pricing.completionUsdPerMillion,
                },
              }
            : {}),
        });
        return statusOf(progressOf(job));
      }),
    watchJob: async function* (request, { signal }) {
      const end = metrics.startCall("WatchJob");
      let failure: unknown;
      try {
        for await (const record of store.jobs.watch(request.jobId, { signal })) {
          yield statusOf(progressOf(record));
        }
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        // a client that goes away mid-stream ends the generator without an error
        failure ??= signal.aborted ? new CancelledError("WatchJob call cancelled") : undefined;
        end(failure);
      }
    },
    cancelJob: (request) =>
      metrics.timeCall("CancelJob", async () => {
        return statusOf(progressOf(await store.jobs.cancel(request.jobId)));
      }),
  });
}
