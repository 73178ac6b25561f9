/**
 * Listwise relevance and utility selection, after Zhang et al. (2025), "Utility-Focused LLM Annotation
 * for Retrieval and RAG" (research-methods.md §1; prompts paraphrased from the paper's prompts.md):
 * RelSel picks the relevant passages of a window; a pseudo-answer is written from them; UtilSel keeps the
 * passages useful for a correct, complete answer, or UtilRank ranks them by utility (the caller keeps the
 * top k%). Each passage goes in its own user turn as `[i]` and the assistant acknowledges it, as in the
 * paper's multi-turn format; windows hold at most 16 passages (the paper's m).
 */
import type { ChatMessage } from "../llm/types.js";
import { DATA_NOT_INSTRUCTIONS, formatPassage, type PassageText } from "./passage-format.js";
import { isRecord, type ParseResult, type Task } from "./task.js";

export const MAX_WINDOW = 16;

export interface WindowInput {
  query: { id: string; text: string };
  /** The window, in presentation order; identifier [i] is position i+1. */
  passages: PassageText[];
  delimit?: boolean;
}

export interface AnswerInput extends WindowInput {
  answer: string;
}

function passageTurns(input: WindowInput, intro: string): ChatMessage[] {
  const delimit = input.delimit ?? true;
  const turns: ChatMessage[] = [
    {
      role: "system",
      content: `You are a careful relevance judge. ${delimit ? DATA_NOT_INSTRUCTIONS : ""}`.trim(),
    },
    { role: "user", content: `${intro}\nQuestion: ${input.query.text}` },
    { role: "assistant", content: "Okay, please provide the passages." },
  ];
  input.passages.forEach((p, i) => {
    turns.push(
      { role: "user", content: formatPassage(p, { delimit, label: `[${i + 1}]` }) },
      { role: "assistant", content: `Received passage [${i + 1}].` },
    );
  });
  return turns;
}

function idList(
  value: unknown,
  field: string,
  n: number,
  options: { nonEmpty?: boolean } = {},
): ParseResult<number[]> {
  if (!isRecord(value) || !Array.isArray(value[field])) {
    return { ok: false, error: `expected a JSON object with an array "${field}" of passage identifiers` };
  }
  const ids = value[field] as unknown[];
  const seen = new Set<number>();
  for (const id of ids) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 1 || id > n) {
      return {
        ok: false,
        error: `unknown passage identifier ${JSON.stringify(id)}; the identifiers are 1 to ${n}`,
      };
    }
    if (seen.has(id)) return { ok: false, error: `passage identifier ${id} appears twice` };
    seen.add(id);
  }
  if (options.nonEmpty && ids.length === 0) return { ok: false, error: `"${field}" must not be empty` };
  return { ok: true, value: ids as number[] };
}

const idsSchema = (field: string) => ({
  type: "object",
  properties: { [field]: { type: "array", items: { type: "integer" }, maxItems: MAX_WINDOW } },
  required: [field],
  additionalProperties: false,
});

export const relevanceSelectionTask: Task<WindowInput, number[]> = {
  name: "relevance-selection",
  version: "relsel-zhang25-v1",
  schemaName: "relevance_selection",
  schema: idsSchema("selected"),
  maxTokens: 96,
  messages(input) {
    return [
      ...passageTurns(
        input,
        `I will give you ${input.passages.length} passages, each with an identifier [i]. Select the passages relevant to the question.`,
      ),
      {
        role: "user",
        content:
          `Question: ${input.query.text}\nOutput only the identifiers of the passages relevant to the question, ` +
          'as JSON: {"selected": [i, j, ...]} (an empty list if none is relevant). No explanation.',
      },
    ];
  },
  parse(value, input) {
    return idList(value, "selected", input.passages.length);
  },
};

export const pseudoAnswerTask: Task<WindowInput, string> = {
  name: "pseudo-answer",
  // v2: works over the relevant passages of all the query's windows together (v1 ran per window).
  version: "pseudo-answer-zhang25-v2",
  schemaName: "pseudo_answer",
  schema: {
    type: "object",
    properties: { answer: { type: "string" } },
    required: ["answer"],
    additionalProperties: false,
  },
  maxTokens: 160,
  messages(input) {
    return [
      ...passageTurns(input, "I will give you passages. Use only them to answer the question."),
      {
        role: "user",
        content:
          `Question: ${input.query.text}\nWrite a short answer (one to a few sentences) using only the passages, ` +
          'without citing them. Output JSON: {"answer": "..."}.',
      },
    ];
  },
  parse(value) {
    if (!isRecord(value) || typeof value.answer !== "string" || value.answer.trim() === "") {
      return { ok: false, error: 'expected {"answer": "<non-empty text>"}' };
    }
    return { ok: true, value: value.answer.trim() };
  },
};

const UTILITY =
  "A passage has utility if it is relevant to the question and useful for producing a correct, reasonable " +
  "and complete answer.";

export const utilitySelectionTask: Task<AnswerInput, number[]> = {
  name: "utility-selection",
  // v2: works over the relevant passages of all the query's windows together (v1 ran per window).
  version: "utilsel-zhang25-v2",
  schemaName: "utility_selection",
  schema: idsSchema("selected"),
  maxTokens: 96,
  messages(input) {
    return [
      ...passageTurns(input, `I will give you passages. ${UTILITY}`),
      {
        role: "user",
        content:
          `Question: ${input.query.text}\nReference answer: ${input.answer}\n${UTILITY} Output only the ` +
          'identifiers of the passages with utility, as JSON: {"selected": [i, j, ...]}. No explanation.',
      },
    ];
  },
  parse(value, input) {
    return idList(value, "selected", input.passages.length);
  },
};

export const utilityRankingTask: Task<AnswerInput, number[]> = {
  name: "utility-ranking",
  // v2: works over the relevant passages of all the query's windows together (v1 ran per window).
  version: "utilrank-zhang25-v2",
  schemaName: "utility_ranking",
  schema: idsSchema("ranking"),
  maxTokens: 96,
  messages(input) {
    return [
      ...passageTurns(input, `I will give you passages. ${UTILITY}`),
      {
        role: "user",
        content:
          `Question: ${input.query.text}\nReference answer: ${input.answer}\nRank all ${input.passages.length} ` +
          'passages by utility, most useful first, as JSON: {"ranking": [i, j, ...]}. No explanation.',
      },
    ];
  },
  parse(value, input) {
    const ids = idList(value, "ranking", input.passages.length, { nonEmpty: true });
    if (!ids.ok) return ids;
    // A ranking that leaves passages out is still usable: only its head is kept (top k%).
    return ids;
  },
};

/** UtilRank keeps the top k% of the ranked passages, at least one (Zhang et al. use k = 10%). */
export function topPercent<T>(ranked: readonly T[], percent: number): T[] {
  if (ranked.length === 0) return [];
  return ranked.slice(0, Math.max(1, Math.ceil((ranked.length * percent) / 100)));
}
