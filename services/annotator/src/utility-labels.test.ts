import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotator } from "./annotator.js";
import { OpenAiBackend } from "./llm/openai-backend.js";
import {
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "./test-support/fault-injection-server.js";
import { hiddenScoreResponder } from "./test-support/hidden-score-responder.js";
import { utilityLabels } from "./utility-labels.js";

let llm: FaultInjectionServer;
let annotator: Annotator;

beforeAll(async () => {
  llm = await startFaultInjectionServer(hiddenScoreResponder());
  annotator = new Annotator({ backend: new OpenAiBackend({ baseUrl: llm.baseUrl, model: "rank-double" }) });
});
afterAll(async () => {
  await llm.close();
});

// 50 passages whose hidden scores are a permutation of 0..49 (37 is coprime with 50)
const passages = Array.from({ length: 50 }, (_, i) => ({
  id: `d${i}`,
  text: `passage ${i} SCORE=${(i * 37) % 50}`,
}));
const score = (docId: string) => (Number(docId.slice(1)) * 37) % 50;

describe("utility ranking across windows", () => {
  it("keeps the global top k% of the relevant passages, ranked, not a per-window top", async () => {
    const before = llm.requests.length;
    const labels = await utilityLabels(annotator, {
      query: { id: "q-rank", text: "which passages help most?" },
      passages,
      variant: "ranking",
      topPercent: 20,
    });
    expect(labels).toHaveLength(50);
    expect(labels.every((l) => l.status === "ok" && l.relevant)).toBe(true);
    // 20% of 50 relevant passages = 10: exactly the scores 49..40, ranked 1..10 in score order
    const kept = labels.filter((l) => l.utility).sort((a, b) => a.utilityRank! - b.utilityRank!);
    expect(kept.map((l) => score(l.docId))).toEqual([49, 48, 47, 46, 45, 44, 43, 42, 41, 40]);
    expect(kept.map((l) => l.utilityRank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Calls, by hand: RelSel 4 windows (50 -> 13+13+12+12), 1 answer, and ranking windows of 16 with
    // step 8 from the bottom: pass 1 starts 34, 26, 18, 10, 2, 0 (6 windows) fixes places 1-8; pass 2
    // starts 34, 26, 18, 10, 8 (5 windows) fixes 9-16 >= 10 kept. 4 + 1 + 11 = 16.
    const ranking = llm.requests
      .slice(before)
      .filter((r) => JSON.stringify(r.body).includes("utility_ranking"));
    expect(ranking).toHaveLength(11);
    expect(llm.requests.length - before).toBe(16);
    // every ranking call is recorded in the steps of the passages it ranked
    const keys = new Set(
      labels.flatMap((l) => l.steps.filter((s) => s.task === "utility-ranking").map((s) => s.cacheKey)),
    );
    expect(keys.size).toBe(11);
  });

  it("UtilSel sees the relevant passages of every window together and fails nothing it did not decide", async () => {
    const selective = await startFaultInjectionServer(
      hiddenScoreResponder({ relevantFrom: 30, usefulFrom: 45 }),
    );
    try {
      const labels = await utilityLabels(
        new Annotator({ backend: new OpenAiBackend({ baseUrl: selective.baseUrl, model: "rank-double" }) }),
        { query: { id: "q-sel", text: "which passages help?" }, passages, variant: "selection" },
      );
      expect(
        labels
          .filter((l) => l.relevant)
          .map((l) => score(l.docId))
          .sort((a, b) => a - b),
      ).toEqual(Array.from({ length: 20 }, (_, i) => 30 + i));
      expect(
        labels
          .filter((l) => l.utility)
          .map((l) => score(l.docId))
          .sort((a, b) => a - b),
      ).toEqual([45, 46, 47, 48, 49]);
      // one pseudo-answer for the query, not one per window
      expect(selective.requests.filter((r) => JSON.stringify(r.body).includes("pseudo_answer"))).toHaveLength(
        1,
      );
    } finally {
      await selective.close();
    }
  });
  it("a failed pseudo-answer fails the relevant passages only; a failed RelSel fails its window only", async () => {
    const scores = hiddenScoreResponder({ relevantFrom: 40 });
    const faulty = await startFaultInjectionServer((r) => {
      const body = JSON.stringify(r.body);
      // TEST DOUBLE faults: the answer is never valid JSON; RelSel of the window holding SCORE=0 neither
      if (body.includes("pseudo_answer")) return { kind: "reply", content: "no idea" };
      if (body.includes("relevance_selection") && /SCORE=0(?!\d)/.test(body))
        return { kind: "reply", content: "?" };
      return scores(r);
    });
    try {
      const labels = await utilityLabels(
        new Annotator({ backend: new OpenAiBackend({ baseUrl: faulty.baseUrl, model: "fault-double" }) }),
        { query: { id: "q-fail", text: "which passages help?" }, passages, variant: "ranking" },
      );
      const zeroWindow = labels.find((l) => score(l.docId) === 0)!.window!.index;
      for (const l of labels) {
        if (l.window!.index === zeroWindow) {
          expect(l).toMatchObject({ status: "failed" });
          expect(l.steps.map((s) => s.task)).toEqual(["relevance-selection"]);
        } else if (score(l.docId) >= 40) {
          expect(l).toMatchObject({
            status: "failed",
            relevant: true,
            error: expect.stringContaining("JSON"),
          });
          expect(l.steps.map((s) => s.task)).toEqual(["relevance-selection", "pseudo-answer"]);
        } else {
          expect(l).toMatchObject({ status: "ok", relevant: false, utility: false });
        }
      }
      expect(labels.filter((l) => l.status === "ok").length).toBeGreaterThan(0);
    } finally {
      await faulty.close();
    }
  });
});
