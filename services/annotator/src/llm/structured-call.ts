/**
 * One structured LLM call with the safety rules of the annotator: transient failures are retried with
 * backoff (retry.ts); a reply that does not parse or validate gets exactly one re-ask that quotes the
 * validation error; if that also fails the item is reported failed with the raw reply kept. A label is
 * never guessed from an invalid reply.
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

export interface StructuredCallOptions {
  limiter?: CallLimiter;
  retry?: RetryOptions;
  signal?: AbortSignal;
  /** Re-asks after an invalid reply. Default 1. */
  reasks?: number;
}

export async function callStructured<I, O>(
  backend: LlmBackend,
  task: Task<I, O>,
  input: I,
  options: StructuredCallOptions = {},
): Promise<StructuredOutcome<O>> {
  const messages: ChatMessage[] = task.messages(input);
  const reasks = options.reasks ?? 1;
  let usage = ZERO_USAGE;
  let llmCalls = 0;
  let model = backend.model;
  let raw = "";
  let error = "";
  for (let ask = 1; ask <= reasks + 1; ask++) {
    const result = await withRetries(
      () => {
        llmCalls++;
        const call = () =>
          backend.chat({
            messages,
            schema: task.schema,
            schemaName: task.schemaName,
            maxTokens: task.maxTokens,
            temperature: 0,
            ...(options.signal ? { signal: options.signal } : {}),
          });
        return options.limiter ? options.limiter.run(call) : call();
      },
      { ...options.retry, ...(options.signal ? { signal: options.signal } : {}) },
    );
    usage = addUsage(usage, result.usage);
    model = result.model;
    raw = result.text;
    const parsed = parseJsonReply(raw);
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
        content: `Your answer was invalid: ${error}. Answer again with only a JSON object that matches the required format.`,
      },
    );
  }
  return { status: "failed", error, raw, asks: reasks + 1, llmCalls, usage, model };
}
