/**
 * One structured LLM call with the safety rules of the annotator: transient failures are retried with
 * backoff (retry.ts); a reply that does not parse or validate gets exactly one re-ask that quotes the
 * validation error; if that also fails the item is reported failed with the raw reply kept. A label is
 * never guessed from an invalid reply. Each request's outcome and tokens go to the injected LlmMetrics.
 * A task without a schema gets the reply's text as it is (a plain-text task); its `parse` validates it.
 */
import type { Task } from "../tasks/task.js";
import type { CallLimiter } from "./limiter.js";
import { parseJsonReply } from "./parse-json.js";
import { withRetries, type RetryOptions } from "./retry.js";
import { addUsage, ZERO_USAGE, type ChatMessage, type LlmBackend, type TokenUsage } from "./types.js";

export type StructuredOutcome<O> =
  | { status: "ok"; value: O; raw: string; asks: number; llmCalls: number; usage: TokenUsage; model: string }
  | {
      status: "failed";
      error: string;
      raw: string;
      asks: number;
      llmCalls: number;
      usage: TokenUsage;
      model: string;
    };

/** What LLM calls report (the annotator's Prometheus metrics implement it). */
export interface LlmMetrics {
  /**
   * One LLM request answered ("ok"), failed and tried again ("retried") or failed and given up
   * ("failed"); "cached": a task run answered from the outcome cache, with no request.
   */
  llmCall(outcome: "ok" | "retried" | "failed" | "cached"): void;
  /** The tokens of one answered request. */
  llmTokens(usage: TokenUsage): void;
}

export const noLlmMetrics: LlmMetrics = { llmCall: () => undefined, llmTokens: () => undefined };

export interface StructuredCallOptions {
  limiter?: CallLimiter;
  retry?: RetryOptions;
  signal?: AbortSignal;
  /** Re-asks after an invalid reply. Default 1. */
  reasks?: number;
  metrics?: LlmMetrics;
}

export async function callStructured<I, O>(
  backend: LlmBackend,
  task: Task<I, O>,
  input: I,
  options: StructuredCallOptions = {},
): Promise<StructuredOutcome<O>> {
  const messages: ChatMessage[] = task.messages(input);
  const reasks = options.reasks ?? 1;
  const metrics = options.metrics ?? noLlmMetrics;
  let usage = ZERO_USAGE;
  let llmCalls = 0;
  let model = backend.model;
  let raw = "";
  let error = "";
  for (let ask = 1; ask <= reasks + 1; ask++) {
    // a failed request is "retried" when withRetries schedules another, else "failed" when it gives up
    let failedRequests = 0;
    let retriedRequests = 0;
    const onRetry = options.retry?.onRetry;
    const result = await withRetries(
      () => {
        llmCalls++;
        const call = async () => {
          try {
            const answer = await backend.chat({
              messages,
              ...(task.schema ? { schema: task.schema } : {}),
              ...(task.schemaName ? { schemaName: task.schemaName } : {}),
              maxTokens: task.maxTokens,
              temperature: 0,
              ...(options.signal ? { signal: options.signal } : {}),
            });
            metrics.llmCall("ok");
            metrics.llmTokens(answer.usage);
            return answer;
          } catch (err) {
            failedRequests++;
            throw err;
          }
        };
        return options.limiter ? options.limiter.run(call) : call();
      },
      {
        ...options.retry,
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (err, attempt, delayMs) => {
          retriedRequests++;
          metrics.llmCall("retried");
          onRetry?.(err, attempt, delayMs);
        },
      },
    ).catch((err: unknown) => {
      if (failedRequests > retriedRequests) metrics.llmCall("failed");
      throw err;
    });
    usage = addUsage(usage, result.usage);
    model = result.model;
    raw = result.text;
    const parsed = task.schema ? parseJsonReply(raw) : { ok: true as const, value: raw };
    if (parsed.ok) {
      const checked = task.parse(parsed.value, input);
      if (checked.ok) return { status: "ok", value: checked.value, raw, asks: ask, llmCalls, usage, model };
      error = checked.error;
    } else {
      error =
        result.finishReason === "length" ? `${parsed.error}; the reply hit the token limit` : parsed.error;
    }
    messages.push(
      { role: "assistant", content: raw },
      {
        role: "user",
        content: task.schema
          ? `Your answer was invalid: ${error}. Answer again with only a JSON object that matches the required format.`
          : `Your answer was invalid: ${error}. Answer again with only the requested text.`,
      },
    );
  }
  return { status: "failed", error, raw, asks: reasks + 1, llmCalls, usage, model };
}
