/**
 * Items whose correct grade is written in the passage ("GRADE=n"), and a fault-injection responder that
 * answers with that grade, so a test can check that every stored label is the right one. Items whose
 * passage says "FAULT=<kind>" get that fault on their first request (or on every request for "garbage").
 */
import type { WorkItem } from "../work-items.js";
import { lastUserMessage, type Fault, type RecordedRequest } from "./fault-injection-server.js";

export type ItemFault = "none" | "429" | "500" | "hang" | "truncated" | "garbage" | "invalid-once";

export function relevanceItems(n: number, faults: (i: number) => ItemFault = () => "none"): WorkItem[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: "relevance" as const,
    query: { id: `q${i % 5}`, text: `query number ${i % 5}` },
    passage: { id: `d${i}`, text: `passage ${i} GRADE=${i % 4} FAULT=${faults(i)}` },
  }));
}

export function expectedGrade(docId: string): number {
  return Number(docId.slice(1)) % 4;
}

/** Counts requests per item so faults fire once; "garbage" never recovers. */
export function relevanceResponder(options: { delayMs?: number } = {}): (r: RecordedRequest) => Fault {
  const seen = new Map<string, number>();
  return (request) => {
    const text = lastUserMessage(request) + request.body.messages.map((m) => m.content).join("\n");
    const grade = /GRADE=(\d)/.exec(text)?.[1] ?? "0";
    const fault = /FAULT=([a-z0-9-]+)/.exec(text)?.[1] ?? "none";
    const id = /passage (\d+) GRADE/.exec(text)?.[1] ?? "?";
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    const ok: Fault = {
      kind: "reply",
      content: `{"grade": ${grade}}`,
      ...(options.delayMs ? { delayMs: options.delayMs } : {}),
    };
    if (fault === "garbage") return { kind: "reply", content: "I think it is quite relevant!" };
    if (count > 1) return ok;
    switch (fault) {
      case "429":
        return { kind: "status", status: 429, retryAfterSeconds: 0 };
      case "500":
        return { kind: "status", status: 500 };
      case "hang":
        return { kind: "hang" };
      case "truncated":
        return { kind: "truncated-body" };
      case "invalid-once":
        return { kind: "reply", content: '{"grade": "high"}' };
      default:
        return ok;
    }
  };
}
