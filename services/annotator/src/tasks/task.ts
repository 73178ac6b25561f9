/**
 * A task is a versioned prompt template: it turns an input into chat messages, names the JSON schema
 * of the answer, and validates a parsed answer against the input (ids in range, grade on the scale).
 * `version` changes whenever the wording changes; it is part of every cache key and of every label's
 * provenance, so labels from different prompt versions are never mixed up.
 * A task without a schema asks for plain text: its `parse` gets the reply's text as a string.
 */
import type { ChatMessage, JsonSchema } from "../llm/types.js";

export type ParseResult<O> = { ok: true; value: O } | { ok: false; error: string };

export interface Task<I, O> {
  readonly name: string;
  readonly version: string;
  readonly schemaName?: string;
  /** The answer's JSON schema; absent: the answer is plain text. */
  readonly schema?: JsonSchema;
  readonly maxTokens: number;
  messages(input: I): ChatMessage[];
  parse(value: unknown, input: I): ParseResult<O>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
