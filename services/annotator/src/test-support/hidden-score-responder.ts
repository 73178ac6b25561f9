/**
 * TEST DOUBLE responder for the fault-injection server: a deterministic "LLM" for listwise utility
 * tasks that knows each passage's hidden score (written in the passage as "SCORE=n"): RelSel selects
 * every passage with a score (or only those at or above `relevantFrom`), UtilSel those at or above
 * `usefulFrom`, and UtilRank orders the window by score, best first. A test can then check a
 * ranking over many windows against the scores themselves.
 */
import type { Fault, RecordedRequest } from "./fault-injection-server.js";

function schemaName(r: RecordedRequest): string {
  const f = r.body.response_format as { json_schema?: { name?: string } } | undefined;
  return f?.json_schema?.name ?? "";
}

/** Scores of the window's passages, in presentation order ([1], [2], ...). */
export function windowScores(r: RecordedRequest): number[] {
  return r.body.messages
    .filter((m) => m.role === "user")
    .map((m) => /SCORE=(\d+)/.exec(m.content)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number);
}

export function hiddenScoreResponder(options: { relevantFrom?: number; usefulFrom?: number } = {}) {
  return (r: RecordedRequest): Fault => {
    const reply = (value: unknown): Fault => ({ kind: "reply", content: JSON.stringify(value) });
    const scores = windowScores(r);
    const ids = (min: number) => scores.flatMap((s, i) => (s >= min ? [i + 1] : []));
    switch (schemaName(r)) {
      case "relevance_selection":
        return reply({ selected: ids(options.relevantFrom ?? 0) });
      case "pseudo_answer":
        return reply({ answer: "An answer from the passages." });
      case "utility_selection":
        return reply({ selected: ids(options.usefulFrom ?? 0) });
      case "utility_ranking":
        return reply({
          ranking: scores
            .map((s, i) => ({ s, id: i + 1 }))
            .sort((a, b) => b.s - a.s)
            .map((x) => x.id),
        });
      default:
        return { kind: "status", status: 400 };
    }
  };
}
