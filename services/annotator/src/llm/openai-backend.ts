/**
 * Chat completions over HTTP against any OpenAI-compatible server (POST {baseUrl}/chat/completions):
 * vLLM, Ollama, llama.cpp server, TGI and OpenAI itself. Structured output is requested with
 * `response_format: {type: "json_schema", json_schema: {name, schema, strict}}` (OpenAI, vLLM,
 * llama.cpp server, Ollama >= 0.5), or `{type: "json_object"}`, or not at all for servers that reject
 * both; the caller validates the text either way. Only `baseUrl` is ever contacted.
 */
import { CancelledError } from "@ferret/errors";
import { LlmCallError } from "./llm-errors.js";
import type { ChatRequest, ChatResult, LlmBackend } from "./types.js";

export type StructuredOutputMode = "json_schema" | "json_object" | "none";

export interface OpenAiBackendConfig {
  /** e.g. http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:11434/v1 (Ollama), https://api.openai.com/v1 */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Per-request timeout. Default 60 000 ms. */
  timeoutMs?: number;
  /** Default "json_schema". */
  structuredOutput?: StructuredOutputMode;
}

interface CompletionBody {
  model?: string;
  choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export class OpenAiBackend implements LlmBackend {
  readonly kind = "openai" as const;
  readonly model: string;
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly mode: StructuredOutputMode;

  constructor(private readonly config: OpenAiBackendConfig) {
    this.model = config.model;
    this.url = `${config.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    this.timeoutMs = config.timeoutMs ?? 60_000;
    this.mode = config.structuredOutput ?? "json_schema";
  }

  private responseFormat(request: ChatRequest): Record<string, unknown> | undefined {
    if (request.schema === undefined || this.mode === "none") return undefined;
    if (this.mode === "json_object") return { type: "json_object" };
    return {
      type: "json_schema",
      json_schema: { name: request.schemaName ?? "output", schema: request.schema, strict: true },
    };
  }

  async chat(request: ChatRequest): Promise<ChatResult> {
    const body: Record<string, unknown> = {
      model: this.model,
      messages: request.messages,
      temperature: request.temperature ?? 0,
      max_tokens: request.maxTokens ?? 512,
      stream: false,
    };
    if (request.seed !== undefined) body.seed = request.seed;
    const format = this.responseFormat(request);
    if (format) body.response_format = format;

    // One controller with a timer, not AbortSignal.timeout + AbortSignal.any: those build transferable
    // signals (makeTransferable showed in bench/annotate's profile) on every call.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const onCallerAbort = (): void => controller.abort();
    request.signal?.addEventListener("abort", onCallerAbort, { once: true });
    if (request.signal?.aborted) controller.abort();
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}),
        },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      text = await response.text();
    } catch (err) {
      throw this.transportError(err, request.signal, timedOut);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onCallerAbort);
    }
    if (!response.ok) {
      const retryable = response.status === 429 || response.status >= 500 || response.status === 408;
      throw new LlmCallError(
        `LLM server ${this.url} answered HTTP ${response.status}: ${this.quote(text, 300)}`,
        {
          retryable,
          status: response.status,
          retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
        },
      );
    }
    let parsed: CompletionBody;
    try {
      parsed = JSON.parse(text) as CompletionBody;
    } catch (err) {
      // A proxy cutting the body off mid-way: the same request may well succeed again.
      throw new LlmCallError(
        `LLM server ${this.url} sent a body that is not JSON: ${this.quote(text, 200)}`,
        {
          retryable: true,
          status: response.status,
        },
        { cause: err },
      );
    }
    const choice = parsed.choices?.[0];
    if (choice === undefined) {
      throw new LlmCallError(`LLM server ${this.url} sent no choices`, {
        retryable: true,
        status: response.status,
      });
    }
    return {
      text: choice.message?.content ?? "",
      usage: {
        promptTokens: parsed.usage?.prompt_tokens ?? 0,
        completionTokens: parsed.usage?.completion_tokens ?? 0,
      },
      model: parsed.model ?? this.model,
      finishReason: choice.finish_reason ?? undefined,
    };
  }

  /**
   * The start of a server's reply, for an error message, with the API key taken out: some servers quote
   * the key they refused in their error body, and these messages reach logs and gRPC clients.
   */
  private quote(text: string, length: number): string {
    const key = this.config.apiKey;
    return (key ? text.replaceAll(key, "[redacted]") : text).slice(0, length);
  }

  private transportError(err: unknown, caller: AbortSignal | undefined, timedOut: boolean): Error {
    if (caller?.aborted) return new CancelledError("LLM call cancelled", { cause: err });
    if (timedOut) {
      return new LlmCallError(
        `LLM call to ${this.url} timed out after ${this.timeoutMs} ms`,
        { retryable: true },
        {
          cause: err,
        },
      );
    }
    // fetch says only "fetch failed"; the reason (e.g. "connect ECONNREFUSED 127.0.0.1:8000") is its cause
    const reason = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : "";
    const message = `${err instanceof Error ? err.message : String(err)}${reason}`;
    return new LlmCallError(
      `LLM call to ${this.url} failed: ${message}`,
      { retryable: true },
      { cause: err },
    );
  }

  async close(): Promise<void> {}
}
