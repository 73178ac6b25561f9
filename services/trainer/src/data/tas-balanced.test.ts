import { describe, expect, it } from "vitest";
import { seededRandom } from "./random.js";
import { balancedPair, planTasBalancedBatches } from "./tas-balanced.js";
import type { TrainingRecord } from "./training-set-format.js";

const neg = (id: string, teacher?: number) => ({
  id,
  text: id,
  source: "bm25" as const,
  rank: 1,
  score: 0,
  teacher,
});

describe("balanced margin sampling", () => {
  it("draws each non-empty margin bin equally often, not each pair", () => {
    // One negative with margin 10 against 99 with margins near 0: uniform pairs would pick it 1% of
    // the time; with 10 equal-width bins only bins 0 and 9 are filled, so it gets half the draws.
    const record: TrainingRecord = {
      qid: "q",
      stage: 1,
      query: "q",
      positives: [{ id: "p", text: "p", grade: 1, sources: ["human"], teacher: 10 }],
      negatives: [neg("far", 0), ...Array.from({ length: 99 }, (_, i) => neg(`n${i}`, 10 - i * 0.001))],
    };
    const random = seededRandom(3, "bins");
    let far = 0;
    const draws = 4000;
    for (let i = 0; i < draws; i++) if (balancedPair(record, 10, random)!.negative === "far") far++;
    // Binomial(4000, 0.5): sd ~32; 0.45..0.55 is > 6 sd either side.
    expect(far / draws).toBeGreaterThan(0.45);
    expect(far / draws).toBeLessThan(0.55);
  });

  it("falls back to uniform pairs without teacher scores, and has no pair without negatives", () => {
    const record: TrainingRecord = {
      qid: "q",
      stage: 1,
      query: "q",
      positives: [{ id: "p", text: "p", grade: 1, sources: ["human"] }],
      negatives: [neg("a"), neg("b")],
    };
    const random = seededRandom(5);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(balancedPair(record, 10, random)!.negative);
    expect(seen).toEqual(new Set(["a", "b"]));
    expect(balancedPair({ ...record, negatives: [] }, 10, random)).toBeUndefined();
  });

  it("keeps each batch in one cluster while it lasts", () => {
    const records: TrainingRecord[] = Array.from({ length: 12 }, (_, i) => ({
      qid: `q${i}`,
      stage: 1,
      query: "",
      positives: [{ id: "p", text: "", grade: 1, sources: ["human"] }],
      negatives: [neg("n")],
    }));
    // Two clusters of 6 and batches of 3: every batch is single-cluster.
    const clusterOf = new Map(records.map((r, i) => [r.qid, i % 2]));
    const batches = planTasBalancedBatches(records, clusterOf, {
      batchSize: 3,
      epochs: 1,
      bins: 10,
      seed: 1,
    });
    expect(batches).toHaveLength(4);
    for (const b of batches) {
      expect(b.clusters).toHaveLength(1);
      expect(b.items.every((it) => clusterOf.get(it.qid) === b.clusters[0])).toBe(true);
    }
  });
});
