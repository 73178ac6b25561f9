/**
 * TEST DOUBLE responder for the fault-injection server that answers every task by its response_format
 * schema name with a valid, deterministic reply (relevance: 2; selections: the first passage; queries:
 * the first words of the passage, so the round trip finds it; documents: a fixed text). Plain-text
 * requests (no schema) are summarize-then-ask's: a summary is the passage's first words, and a query the
 * summary's words asked as a question.
 */
import type { Fault, RecordedRequest } from "./fault-injection-server.js";

function schemaName(r: RecordedRequest): string {
  const f = r.body.response_format as { json_schema?: { name?: string } } | undefined;
  return f?.json_schema?.name ?? "";
}

export function taskResponder(r: RecordedRequest): Fault {
  const reply = (value: unknown): Fault => ({ kind: "reply", content: JSON.stringify(value) });
  const last = r.body.messages.at(-1)?.content ?? "";
  switch (schemaName(r)) {
    case "relevance_grade":
      return reply({ grade: 2 });
    case "relevance_selection":
    case "utility_selection":
      return reply({ selected: [1] });
    case "utility_ranking":
      return reply({ ranking: [1] });
    case "pseudo_answer":
      return reply({ answer: "An answer from the passages." });
    case "synthetic_query": {
      const body = /Passage:\n<passage>\n([\s\S]*?)\n<\/passage>/.exec(last)?.[1] ?? "";
      return reply({ query: `${body.split(/\s+/).slice(0, 12).join(" ")}?` });
    }
    case "graded_document":
      return reply({ passage: "A synthetic passage written for the query, long enough to be valid." });
    case "": {
      const passage = /<passage>\n([\s\S]*?)\n<\/passage>\n\nSummarize/.exec(last)?.[1];
      if (passage !== undefined)
        return { kind: "reply", content: `${passage.split(/\s+/).slice(0, 12).join(" ")}.` };
      const summary = /^([\s\S]*?)\.\n\nRewrite the sentence above/.exec(last)?.[1];
      if (summary !== undefined) return { kind: "reply", content: `What about ${summary}?` };
      return { kind: "status", status: 400 };
    }
    default:
      return { kind: "status", status: 400 };
  }
}
