/**
 * Synthetic queries for a passage, in three styles:
 * - few-shot: k (passage, query) examples then the passage (Tamber et al. 2025, research-methods.md §7:
 *   3 examples per call; claims "concise, self-contained, under 20 words, directly supported");
 * - summarize-then-ask: an extractive summary of the passage first, then a query it answers (SWIM-IR,
 *   Thakur et al. 2024, §10);
 * - typed: keyword query, natural question or claim (Tamber et al.'s query types).
 * The optional round-trip filter (round-trip.ts) keeps a query only if it retrieves its own passage.
 */
import type { ChatMessage } from "../llm/types.js";
import { DATA_NOT_INSTRUCTIONS, formatPassage, type PassageText } from "./passage-format.js";
import { isRecord, type ParseResult, type Task } from "./task.js";

export type QueryType = "keyword" | "question" | "claim";
export type QueryStyle = "few-shot" | "summarize-then-ask";

export interface QueryExample {
  passage: string;
  query: string;
  summary?: string;
}

export interface QueryGenInput {
  passage: PassageText;
  type: QueryType;
  style: QueryStyle;
  examples?: QueryExample[];
}

export interface QueryGenOutput {
  query: string;
  summary?: string;
}

const EXAMPLE_PASSAGES = [
  "The Great Barrier Reef, off the coast of Queensland, Australia, is the world's largest coral reef system, made up of over 2,900 individual reefs stretching more than 2,300 kilometres.",
  "Insulin is a hormone produced by the beta cells of the pancreas. It lets cells absorb glucose from the blood; without enough insulin, blood sugar rises, as in type 1 diabetes.",
  "The Treaty of Westphalia, signed in 1648, ended the Thirty Years' War and is often cited as the origin of the modern system of sovereign states in Europe.",
];

/**
 * Built-in exemplars (written for Ferret) used when a few-shot or summarize-then-ask call brings none:
 * three per query type, as Tamber et al. sample three per call.
 */
export const DEFAULT_EXAMPLES: Record<QueryType, QueryExample[]> = {
  keyword: [
    {
      passage: EXAMPLE_PASSAGES[0]!,
      query: "largest coral reef system",
      summary: "The Great Barrier Reef is the largest coral reef system, over 2,300 km long.",
    },
    {
      passage: EXAMPLE_PASSAGES[1]!,
      query: "insulin function pancreas",
      summary: "Insulin, made by pancreatic beta cells, lets cells absorb blood glucose.",
    },
    {
      passage: EXAMPLE_PASSAGES[2]!,
      query: "treaty of westphalia 1648",
      summary: "The 1648 Treaty of Westphalia ended the Thirty Years' War.",
    },
  ],
  question: [
    {
      passage: EXAMPLE_PASSAGES[0]!,
      query: "How long is the Great Barrier Reef?",
      summary: "The Great Barrier Reef is the largest coral reef system, over 2,300 km long.",
    },
    {
      passage: EXAMPLE_PASSAGES[1]!,
      query: "What does insulin do in the body?",
      summary: "Insulin, made by pancreatic beta cells, lets cells absorb blood glucose.",
    },
    {
      passage: EXAMPLE_PASSAGES[2]!,
      query: "Which war did the Treaty of Westphalia end?",
      summary: "The 1648 Treaty of Westphalia ended the Thirty Years' War.",
    },
  ],
  claim: [
    {
      passage: EXAMPLE_PASSAGES[0]!,
      query: "The Great Barrier Reef consists of more than 2,900 individual reefs.",
      summary: "The Great Barrier Reef has over 2,900 reefs.",
    },
    {
      passage: EXAMPLE_PASSAGES[1]!,
      query: "Insulin is produced by beta cells in the pancreas.",
      summary: "Insulin, made by pancreatic beta cells, lets cells absorb blood glucose.",
    },
    {
      passage: EXAMPLE_PASSAGES[2]!,
      query: "The Thirty Years' War ended with a treaty signed in 1648.",
      summary: "The 1648 Treaty of Westphalia ended the Thirty Years' War.",
    },
  ],
};

const TYPE_RULES: Record<QueryType, string> = {
  keyword:
    "a short keyword search query (2 to 6 words, no question mark) that a user would type to find this passage",
  question: "a natural-language question that this passage answers",
  claim:
    "one concise, self-contained claim under 20 words that the passage directly supports, without copying long spans",
};

export const syntheticQueryTask: Task<QueryGenInput, QueryGenOutput> = {
  name: "synthetic-query",
  version: "synthetic-query-v1",
  schemaName: "synthetic_query",
  // The summary field is only required in summarize-then-ask; the schema allows both shapes.
  schema: {
    type: "object",
    properties: { summary: { type: "string" }, query: { type: "string" } },
    required: ["query"],
    additionalProperties: false,
  },
  maxTokens: 160,
  messages(input): ChatMessage[] {
    const sat = input.style === "summarize-then-ask";
    const shape = sat ? '{"summary": "...", "query": "..."}' : '{"query": "..."}';
    const task = sat
      ? `First write a short extractive summary of the passage's key facts, then write ${TYPE_RULES[input.type]}.`
      : `Write ${TYPE_RULES[input.type]}.`;
    const examples = (input.examples ?? DEFAULT_EXAMPLES[input.type])
      .map((e, i) => {
        const answer = sat ? { summary: e.summary ?? "", query: e.query } : { query: e.query };
        return `Example ${i + 1}:\n${formatPassage({ id: `ex${i}`, text: e.passage }, { delimit: true })}\nOutput: ${JSON.stringify(answer)}`;
      })
      .join("\n\n");
    return [
      { role: "system", content: `You write search queries for passages. ${DATA_NOT_INSTRUCTIONS}` },
      {
        role: "user",
        content:
          `${task} Output only JSON: ${shape}.\n\n${examples ? `${examples}\n\n` : ""}` +
          `Passage:\n${formatPassage(input.passage, { delimit: true })}\nOutput:`,
      },
    ];
  },
  parse(value, input): ParseResult<QueryGenOutput> {
    if (!isRecord(value) || typeof value.query !== "string" || value.query.trim() === "") {
      return { ok: false, error: 'expected {"query": "<non-empty text>"}' };
    }
    const query = value.query.trim();
    if (input.style === "summarize-then-ask") {
      if (typeof value.summary !== "string" || value.summary.trim() === "") {
        return { ok: false, error: 'summarize-then-ask needs a non-empty "summary" before the query' };
      }
      return { ok: true, value: { query, summary: value.summary.trim() } };
    }
    if (input.type === "claim" && query.split(/\s+/).length > 30) {
      return { ok: false, error: "the claim must be under 20 words" };
    }
    return { ok: true, value: { query } };
  },
};
