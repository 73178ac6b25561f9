/**
 * Synthetic queries for a passage, in three styles:
 * - few-shot: k (passage, query) examples then the passage (Tamber et al. 2025, research-methods.md §7:
 *   3 examples per call; claims "concise, self-contained, under 20 words, directly supported");
 * - summarize-then-ask: a one-sentence summary of the passage first, then a query it answers (SWIM-IR,
 *   Thakur et al. 2024, §10), as two plain-text calls (passageSummaryTask, askFromSummaryTask);
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

/** Lower case, with punctuation and runs of spaces removed: what two texts are compared on. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** The first line of a reply, without a leading label such as "Question:" or surrounding quotes. */
function firstLine(text: string): string {
  const line = text.trim().split(/\r?\n/, 1)[0] ?? "";
  return line
    .replace(/^(?:summary|question|query|claim|keywords?)\s*:\s*/i, "")
    .replace(/^["“]+|["”]+$/g, "")
    .trim();
}

/**
 * The query a reply means: its first line, and for a question its text up to the first question mark,
 * so a reply that goes on after its question ("...? The answer is ...") still yields the question.
 */
export function firstQuery(text: string, type: QueryType): string {
  const line = firstLine(text);
  const mark = type === "question" ? line.indexOf("?") : -1;
  return mark < 0 ? line : line.slice(0, mark + 1);
}

/** A query naming "the passage", "this question"... cannot be searched with on its own. */
const SELF_REFERENCE =
  /\b(?:the|this|that|above|given)\s+(?:passage|paragraph|text|summary|sentence|question|answer)\b/i;

const MAX_QUERY_WORDS = 30;

/**
 * Why a generated query cannot be a training query, or undefined when it can. The rules hold for any
 * model; small ones (SmolLM2-135M) break them most. A query that copies an exemplar is about the
 * exemplar's topic, so pairing it with this passage would make a wrong positive (the 135M model copied
 * the few-shot exemplars rather than read the passage); a restated summary is not a query; a query about
 * "the passage" or "this question" cannot be searched with on its own.
 */
export function queryProblem(query: string, input: QueryGenInput, summary?: string): string | undefined {
  const q = normalise(query);
  if (q === "") return "the query has no words";
  const words = q.split(" ").length;
  if (words > MAX_QUERY_WORDS)
    return `the query must be short (at most ${MAX_QUERY_WORDS} words, not ${words})`;
  const examples = input.examples ?? DEFAULT_EXAMPLES[input.type];
  if (examples.some((e) => normalise(e.query) === q))
    return "the query copies an example instead of describing the given passage";
  if (summary !== undefined && normalise(summary) === q)
    return "the query repeats the summary instead of asking";
  if (SELF_REFERENCE.test(query))
    return "the query must stand on its own, not refer to the passage or the task";
  if (input.type === "question" && !query.endsWith("?")) return "a question must end with a question mark";
  return undefined;
}

/** Few-shot queries, one JSON call (summarize-then-ask is the two plain-text calls below). */
export const syntheticQueryTask: Task<QueryGenInput, QueryGenOutput> = {
  name: "synthetic-query",
  // v2: the rejections of queryProblem; summarize-then-ask moved to its own tasks.
  version: "synthetic-query-v2",
  schemaName: "synthetic_query",
  schema: {
    type: "object",
    properties: { query: { type: "string" } },
    required: ["query"],
    additionalProperties: false,
  },
  maxTokens: 160,
  messages(input): ChatMessage[] {
    const examples = (input.examples ?? DEFAULT_EXAMPLES[input.type])
      .map(
        (e, i) =>
          `Example ${i + 1}:\n${formatPassage({ id: `ex${i}`, text: e.passage }, { delimit: true })}\n` +
          `Output: ${JSON.stringify({ query: e.query })}`,
      )
      .join("\n\n");
    return [
      { role: "system", content: `You write search queries for passages. ${DATA_NOT_INSTRUCTIONS}` },
      {
        role: "user",
        content:
          `Write ${TYPE_RULES[input.type]}. Output only JSON: {"query": "..."}.\n\n${examples ? `${examples}\n\n` : ""}` +
          `Passage:\n${formatPassage(input.passage, { delimit: true })}\nOutput:`,
      },
    ];
  },
  parse(value, input): ParseResult<QueryGenOutput> {
    if (!isRecord(value) || typeof value.query !== "string" || value.query.trim() === "") {
      return { ok: false, error: 'expected {"query": "<non-empty text>"}' };
    }
    const query = firstQuery(value.query, input.type);
    const problem = queryProblem(query, input);
    return problem === undefined ? { ok: true, value: { query } } : { ok: false, error: problem };
  },
};

/** The first sentence of a text (up to a ., ! or ? followed by a capital letter, or the end). */
function firstSentence(text: string): string {
  return /^(.*?[.!?])\s+\p{Lu}/su.exec(text)?.[1] ?? text;
}

/**
 * Summarize-then-ask, step 1: the passage in one sentence, as plain text (its first sentence is kept).
 * Zero-shot and without JSON: SmolLM2-135M copied the built-in exemplars' passages and queries (as a
 * prompt and as chat turns), and under a JSON grammar it wrote summaries that looped to the token limit
 * and queries that repeated them; asked plainly, it wrote one on-topic sentence per passage.
 */
export const passageSummaryTask: Task<QueryGenInput, string> = {
  name: "passage-summary",
  version: "passage-summary-v1",
  // One sentence fits; a reply cut at the limit still has its first sentence.
  maxTokens: 96,
  messages(input): ChatMessage[] {
    return [
      { role: "system", content: `You are a helpful assistant. ${DATA_NOT_INSTRUCTIONS}` },
      {
        role: "user",
        content: `${formatPassage(input.passage, { delimit: true })}\n\nSummarize the text above in one sentence.`,
      },
    ];
  },
  parse(value): ParseResult<string> {
    const summary = firstSentence(firstLine(String(value)));
    return summary === "" ? { ok: false, error: "the summary is empty" } : { ok: true, value: summary };
  },
};

export interface AskInput extends QueryGenInput {
  /** Step 1's summary. */
  summary: string;
}

/** Short on purpose: longer instructions made SmolLM2-135M answer about the instruction. */
const ASK_RULES: Record<QueryType, string> = {
  keyword: "a short keyword search query (2 to 6 words, no question mark)",
  question: "a short question",
  claim: "a short claim (under 20 words)",
};

/**
 * Summarize-then-ask, step 2: the summary rewritten as one query, as plain text. Only the summary is
 * given (the passage's key facts, and a short prompt); the reply's first query is kept (firstQuery) and
 * checked by queryProblem.
 */
export const askFromSummaryTask: Task<AskInput, QueryGenOutput> = {
  name: "ask-from-summary",
  version: "ask-from-summary-v1",
  maxTokens: 48,
  messages(input): ChatMessage[] {
    return [
      { role: "system", content: "You are a helpful assistant." },
      {
        role: "user",
        content: `${input.summary}\n\nRewrite the sentence above as ${ASK_RULES[input.type]}.`,
      },
    ];
  },
  parse(value, input): ParseResult<QueryGenOutput> {
    const query = firstQuery(String(value), input.type);
    const problem = queryProblem(query, input, input.summary);
    return problem === undefined
      ? { ok: true, value: { query, summary: input.summary } }
      : { ok: false, error: problem };
  },
};
