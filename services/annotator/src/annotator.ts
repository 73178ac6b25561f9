/**
 * Runs a task on one input through the cache: a hit returns the stored outcome with no LLM call; a miss
 * makes the structured call (retries, one re-ask, failure kept with its raw reply) and stores it.
 * Failed outcomes are cached too, so a rerun of a finished job makes no calls; pass `retryFailed` to
 * ask again for them. A cache hit is reported to the injected metrics as a "cached" LLM call.
 */
import { cacheKey, type CachedOutcome, type OutcomeCache } from "./label-cache.js";
import type { CallLimiter } from "./llm/limiter.js";
import type { RetryOptions } from "./llm/retry.js";
import { callStructured, type LlmMetrics, type StructuredOutcome } from "./llm/structured-call.js";
import type { LlmBackend } from "./llm/types.js";
import type { Task } from "./tasks/task.js";

export interface AnnotatorOptions {
  backend: LlmBackend;
  cache?: OutcomeCache;
  limiter?: CallLimiter;
  retry?: RetryOptions;
  retryFailed?: boolean;
  /** LLM requests, cache hits and tokens (default: recorded nowhere). */
  metrics?: LlmMetrics;
}

export interface TaskRun<O> {
  outcome: StructuredOutcome<O>;
  cacheKey: string;
  /** True when the outcome came from the cache (no LLM call was made for it now). */
  cached: boolean;
  promptVersion: string;
  backend: LlmBackend["kind"];
  createdAt: string;
}

/** Input object -> (model, task, version) -> cache key. Inputs are never mutated after they are built. */
const keyMemo = new WeakMap<object, Map<string, string>>();

export class Annotator {
  constructor(readonly options: AnnotatorOptions) {}

  get model(): string {
    return this.options.backend.model;
  }

  /** The same annotator reading and writing outcomes through another cache (a batch's view of it). */
  withCache(cache: OutcomeCache): Annotator {
    return new Annotator({ ...this.options, cache });
  }

  /**
   * The cache key of running `task` on `input` with this annotator's model. Remembered per input
   * object: a batch computes its items' first keys to prefetch them, then again to run them, and
   * canonical JSON + SHA-256 of a passage is a visible share of the per-item CPU (bench/annotate).
   */
  keyOf<I, O>(task: Task<I, O>, input: I): string {
    const memo = typeof input === "object" && input !== null ? keyMemo.get(input) : undefined;
    const id = `${this.options.backend.model}\u0000${task.name}\u0000${task.version}`;
    const known = memo?.get(id);
    if (known !== undefined) return known;
    const key = cacheKey({
      model: this.options.backend.model,
      task: task.name,
      promptVersion: task.version,
      input,
      params: { temperature: 0, maxTokens: task.maxTokens },
    });
    if (typeof input === "object" && input !== null) {
      if (memo) memo.set(id, key);
      else keyMemo.set(input, new Map([[id, key]]));
    }
    return key;
  }

  async run<I, O>(task: Task<I, O>, input: I, signal?: AbortSignal): Promise<TaskRun<O>> {
    const { backend, cache } = this.options;
    const key = this.keyOf(task, input);
    const base = { cacheKey: key, promptVersion: task.version, backend: backend.kind };
    const hit = await cache?.get(key);
    if (hit && (hit.status === "ok" || !this.options.retryFailed)) {
      this.options.metrics?.llmCall("cached");
      return { ...base, outcome: hit as StructuredOutcome<O>, cached: true, createdAt: hit.createdAt };
    }
    const outcome = await callStructured(backend, task, input, {
      ...(this.options.limiter ? { limiter: this.options.limiter } : {}),
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      ...(signal ? { signal } : {}),
      ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
    });
    const createdAt = new Date().toISOString();
    await cache?.put(key, { ...(outcome as StructuredOutcome<unknown>), createdAt } as CachedOutcome);
    return { ...base, outcome, cached: false, createdAt };
  }
}
