/**
 * One interface over every LLM runtime the annotator talks to: an OpenAI-compatible chat-completions
 * server (vLLM, Ollama, llama.cpp server, TGI, OpenAI) or a GGUF model run in-process by node-llama-cpp.
 * Structured output is requested with a JSON schema; backends that cannot enforce it still return text
 * that the caller parses and validates (structured-call.ts), so enforcement is an optimisation, not a contract.
 */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A JSON schema in the subset every backend understands (type, properties, required, enum, items, min/maxItems). */
export type JsonSchema = Record<string, unknown>;

export interface ChatRequest {
  messages: ChatMessage[];
  /** Ask for JSON matching this schema (response_format / grammar). */
  schema?: JsonSchema;
  /** Schema name for response_format json_schema ([A-Za-z0-9_-]). */
  schemaName?: string;
  maxTokens?: number;
  /** Default 0: labels must be reproducible. */
  temperature?: number;
  seed?: number;
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ChatResult {
  text: string;
  usage: TokenUsage;
  /** The model the server says answered (or the configured one). */
  model: string;
  /** "stop", "length" (truncated), ... as the server reports it. */
  finishReason: string | undefined;
}

export interface LlmBackend {
  readonly kind: "openai" | "llama-cpp";
  /** Model name recorded in provenance and in cache keys. */
  readonly model: string;
  chat(request: ChatRequest): Promise<ChatResult>;
  close(): Promise<void>;
}

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
  };
}

export const ZERO_USAGE: Readonly<TokenUsage> = { promptTokens: 0, completionTokens: 0 };
