/**
 * Graded synthetic documents for a query at relevance levels 3..0, after SyCL (Esfandiarpoor et al.
 * 2025, research-methods.md §3). SyCL's exact prompt is unverified; as §3 advises, there is one
 * instruction per level, running from "fully answers" down to "on-topic but does not answer" and
 * "unrelated".
 */
import type { ChatMessage } from "../llm/types.js";
import { isRecord, type ParseResult, type Task } from "./task.js";

export type RelevanceLevel = 0 | 1 | 2 | 3;

export interface GradedDocInput {
  query: { id: string; text: string };
  level: RelevanceLevel;
}

export const LEVEL_INSTRUCTIONS: Record<RelevanceLevel, string> = {
  3: "Write a passage that is dedicated to the query and fully, directly answers it.",
  2: "Write a passage that partly answers the query: the answer is there but incomplete or mixed with other information.",
  1: "Write a passage on the query's topic that does NOT answer it.",
  0: "Write a passage on an unrelated topic that shares at most a word or two with the query.",
};

export const gradedDocumentTask: Task<GradedDocInput, string> = {
  name: "graded-document",
  version: "graded-document-sycl-v1",
  schemaName: "graded_document",
  schema: {
    type: "object",
    properties: { passage: { type: "string" } },
    required: ["passage"],
    additionalProperties: false,
  },
  maxTokens: 256,
  messages(input): ChatMessage[] {
    return [
      {
        role: "system",
        content: "You write realistic web passages (60 to 150 words) for search training data.",
      },
      {
        role: "user",
        content: `Query: ${input.query.text}\n${LEVEL_INSTRUCTIONS[input.level]} Output only JSON: {"passage": "..."}.`,
      },
    ];
  },
  parse(value): ParseResult<string> {
    if (!isRecord(value) || typeof value.passage !== "string" || value.passage.trim().length < 20) {
      return { ok: false, error: 'expected {"passage": "<text of at least 20 characters>"}' };
    }
    return { ok: true, value: value.passage.trim() };
  },
};
