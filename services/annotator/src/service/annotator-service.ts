/**
 * The gRPC Annotator: Judge runs small relevance judgments synchronously (through the cache);
 * SubmitJob splits a job onto the work queue (workers, in this process or other replicas, do the work);
 * WatchJob streams progress until the job ends; CancelJob stops it.
 */
import { randomUUID } from "node:crypto";
import { InvalidArgumentError } from "@ferret/errors";
import { defineService, type ServiceRegistration } from "@ferret/grpc";
import { AnnotatorService } from "@ferret/proto";
import type { Annotator } from "../annotator.js";
import { cancelJob, jobProgress } from "../jobs/job-state.js";
import type { JobStore } from "../jobs/job-store.js";
import { submitJob } from "../jobs/submit-job.js";
import { relevanceTask } from "../tasks/relevance.js";
import { itemsOf, passageOf, statusOf } from "./proto-convert.js";

export const MAX_JUDGE_PASSAGES = 32;

export interface AnnotatorServiceOptions {
  store: JobStore;
  annotator: Annotator;
  /** WatchJob poll interval. Default 500 ms. */
  watchIntervalMs?: number;
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
  return defineService(AnnotatorService, {
    judge: async (request, { signal }) => {
      if (!request.query) throw new InvalidArgumentError("Judge needs a query");
      if (request.passages.length > MAX_JUDGE_PASSAGES) {
        throw new InvalidArgumentError(
          `Judge takes at most ${MAX_JUDGE_PASSAGES} passages; submit a job for more`,
        );
      }
      const query = { id: request.query.id, text: request.query.text };
      const runs = await Promise.all(
        request.passages.map((p) => annotator.run(relevanceTask, { query, passage: passageOf(p) }, signal)),
      );
      return {
        judgments: runs.map((run, i) => ({
          docId: request.passages[i]!.id,
          grade: run.outcome.status === "ok" ? run.outcome.value.grade : 0,
          ok: run.outcome.status === "ok",
          error: run.outcome.status === "failed" ? run.outcome.error : "",
          rawResponse: run.outcome.status === "failed" ? run.outcome.raw : "",
          promptVersion: run.promptVersion,
          model: run.outcome.model,
          cached: run.cached,
        })),
      };
    },
    submitJob: async (request) => {
      const { kind, items } = itemsOf(request);
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
    },
    watchJob: async function* (request, { signal }) {
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
    },
    cancelJob: async (request) => {
      await cancelJob(store, request.jobId);
      return statusOf(await jobProgress(store, request.jobId));
    },
  });
}
