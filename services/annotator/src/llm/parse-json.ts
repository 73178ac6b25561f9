/** Pulls the JSON object out of a model's reply (bare, or in a ```json fence, or after some prose). */
export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

export function parseJsonReply(text: string): JsonParse {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const candidate = (fenced?.[1] ?? text).trim();
  const start = candidate.search(/[[{]/);
  if (start < 0) return { ok: false, error: "the reply contains no JSON object" };
  const end = Math.max(candidate.lastIndexOf("}"), candidate.lastIndexOf("]"));
  if (end < start) return { ok: false, error: "the JSON in the reply is not closed (truncated?)" };
  try {
    return { ok: true, value: JSON.parse(candidate.slice(start, end + 1)) };
  } catch (err) {
    return { ok: false, error: `the reply is not valid JSON: ${(err as Error).message}` };
  }
}
