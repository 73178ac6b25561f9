/**
 * Pointwise graded relevance 0-3 on a descriptive scale, after UMBRELA (Upadhyay et al., 2024,
 * "UMBRELA: UMbrela is the (Open-Source Reproduction of the) Bing RELevance Assessor"), which
 * reproduces Thomas et al. (2024, "Large language models can accurately predict searcher preferences"):
 * the grade definitions and the "consider intent, match, trustworthiness, then decide" steps are
 * paraphrased from UMBRELA's prompt; the answer is a JSON object instead of "##final score: n".
 */
import type { ChatMessage } from "../llm/types.js";
import { DATA_NOT_INSTRUCTIONS, formatPassage, type PassageText } from "./passage-format.js";
import { isRecord, type ParseResult, type Task } from "./task.js";

export interface RelevanceInput {
  query: { id: string; text: string };
  passage: PassageText;
  /** Put the passage in <passage> tags with the data-not-instructions rule. Default true. */
  delimit?: boolean;
}

export interface RelevanceOutput {
  grade: 0 | 1 | 2 | 3;
}

const SCALE =
  "Grade the passage on an integer scale of 0 to 3:\n" +
  "3 = the passage is dedicated to the query and contains the exact answer.\n" +
  "2 = the passage has some answer for the query, but it may be unclear or hidden among extraneous information.\n" +
  "1 = the passage seems related to the query but does not answer it.\n" +
  "0 = the passage has nothing to do with the query.\n" +
  "Think about the intent behind the query, how well the passage matches it and how trustworthy the passage is, " +
  'then decide. Answer only with JSON: {"grade": <0|1|2|3>}.';

export const relevanceTask: Task<RelevanceInput, RelevanceOutput> = {
  name: "relevance",
  version: "relevance-umbrela-v1",
  schemaName: "relevance_grade",
  schema: {
    type: "object",
    properties: { grade: { type: "integer", enum: [0, 1, 2, 3] } },
    required: ["grade"],
    additionalProperties: false,
  },
  maxTokens: 32,
  messages(input: RelevanceInput): ChatMessage[] {
    const delimit = input.delimit ?? true;
    const system =
      "You are a search quality rater judging how relevant a passage is to a search query." +
      (delimit ? ` ${DATA_NOT_INSTRUCTIONS}` : "");
    return [
      { role: "system", content: system },
      {
        role: "user",
        content: `${SCALE}\n\nQuery: ${input.query.text}\n\nPassage:\n${formatPassage(input.passage, { delimit })}`,
      },
    ];
  },
  parse(value: unknown): ParseResult<RelevanceOutput> {
    if (!isRecord(value)) return { ok: false, error: 'expected a JSON object like {"grade": 2}' };
    const grade = value.grade;
    if (grade !== 0 && grade !== 1 && grade !== 2 && grade !== 3) {
      return {
        ok: false,
        error: `"grade" must be one of the integers 0, 1, 2, 3 (got ${JSON.stringify(grade)})`,
      };
    }
    return { ok: true, value: { grade } };
  },
};
