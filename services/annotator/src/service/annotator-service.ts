/**
 * The gRPC Annotator: Judge runs small relevance or utility judgments synchronously (through the
 * cache); SubmitJob splits a job onto the work queue (workers, in this process or other replicas, do
 * the work), with candidate pools from the client or built here (server-pools.ts); WatchJob streams
 * progress (the job's counters: two KV reads per poll) until the job ends; CancelJob stops it. Every RPC
 * is timed and counted (service-metrics.ts).
 */
import { randomUUID } from "node:crypto";
import { CancelledError, InvalidArgumentError } from "@ferret/errors";
import { defineService, type ServiceRegistration } from "@ferret/grpc";
import { AnnotatorService, JudgeTask } from "@ferret/proto";
import type { Annotator } from "../annotator.js";
import { cancelJob, jobProgress } from "../jobs/job-state.js";
import type { JobStore } from "../jobs/job-store.js";
import { submitJob } from "../jobs/submit-job.js";
import { itemsOf, passageOf, statusOf } from "./proto-convert.js";
import type { ServerPoolOptions } from "./server-pools.js";
import { judgeRelevance, judgeUtility } from "./judge.js";
import { noMetrics, type AnnotatorMetrics } from "./service-metrics.js";

export const MAX_JUDGE_PASSAGES = 32;

export interface AnnotatorServiceOptions {
  store: JobStore;
  annotator: Annotator;
  /** WatchJob poll interval. Default 500 ms. */
  watchIntervalMs?: number;
  /** Where server-side candidate pools come from (corpora root, encoder, OpenSearch). */
  pools?: ServerPoolOptions;
  metrics?: AnnotatorMetrics;
}

const FINAL = new Set(["succeeded", "failed", "cancelled"]);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });
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
        await submitJob(store, {
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
        return statusOf(await jobProgress(store, jobId));
      }),
    watchJob: async function* (request, { signal }) {
      const end = metrics.startCall("WatchJob");
      let failure: unknown;
      try {
        let last = "";
        while (!signal.aborted) {
          const progress = await jobProgress(store, request.jobId);
          const status = statusOf(progress);
          const fingerprint = JSON.stringify([progress.job.state, progress.itemsDone, progress.llmCalls]);
          if (fingerprint !== last) {
            last = fingerprint;
            yield status;
          }
          if (FINAL.has(progress.job.state)) return;
          await sleep(options.watchIntervalMs ?? 500, signal);
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
        await cancelJob(store, request.jobId);
        return statusOf(await jobProgress(store, request.jobId));
      }),
  });
}
