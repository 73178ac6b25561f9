/**
 * Teacher scores, false-negative filters, dense negatives and TAS-Balanced batches on 40 SciFact train
 * queries, with @ferret/inference's tiny fixture models (random weights: the scores mean nothing, but
 * they are real model outputs, checked against the models called directly).
 */
import { join } from "node:path";
import { rankByTrecOrder, readBeirCorpus, writeTrecRun, type Run } from "@ferret/datasets";
import { BiEncoder, CrossEncoder } from "@ferret/inference";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { documentText } from "./collection.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleTrainingSet, type AssembleResult } from "./assemble.js";
import { CorpusCache } from "./corpus-cache.js";
import type { NegativeRecord } from "./training-set-format.js";
import { SCIFACT_DIR, smallScifact, tempDir } from "../test-support/scifact.js";
import { specIn } from "../test-support/specs.js";

const QUERIES = 40;

describe("teacher-scored and dense negatives on 40 SciFact train queries", () => {
  let corpusDir: string;
  let work: string;
  let unfiltered: AssembleResult;
  const cache = new CorpusCache();
  afterAll(() => cache.close());
  const base = () => ({
    corpus: corpusDir,
    queries: { split: "small" },
    positives: { human: {} },
    teacher: { kind: "cross-encoder", model: FIXTURE_MODELS.crossEncoder1 },
    distill: true,
  });
  // Every non-positive document of BM25's top 20 (count above the window keeps them all).
  const allOfTop20 = { bm25: { window: [1, 20], count: 20, pick: "top" } };

  beforeAll(async () => {
    corpusDir = (await smallScifact(QUERIES)).dir;
    work = await tempDir();
    unfiltered = await assembleTrainingSet(
      specIn(work, { ...base(), negatives: allOfTop20, output: join(work, "unfiltered") }),
      { cache },
    );
  }, 120_000);

  it("scores every pair with the teacher, as the cross-encoder scores it directly", async () => {
    expect(unfiltered.records).toHaveLength(QUERIES);
    const ce = await CrossEncoder.load(FIXTURE_MODELS.crossEncoder1);
    const r = unfiltered.records[0]!;
    const pairs = [...r.positives, ...r.negatives].map((d) => [r.query, d.text] as const);
    const direct = await ce.score(pairs);
    await ce.close();
    expect([...r.positives, ...r.negatives].map((d) => d.teacher)).toEqual(direct);
    for (const rec of unfiltered.records) {
      for (const d of [...rec.positives, ...rec.negatives]) expect(typeof d.teacher).toBe("number");
    }
    const pairsInSet = unfiltered.records.reduce((a, x) => a + x.positives.length + x.negatives.length, 0);
    expect(unfiltered.stats.teacher).toEqual({
      pairsScored: pairsInSet,
      positivesScored: unfiltered.stats.positives.total,
      negativesScored: unfiltered.stats.negatives.total,
    });
  });

  it("drops the top ranks and what the teacher scores above a threshold, counting each reason", async () => {
    const all = unfiltered.records.flatMap((r) => r.negatives);
    const scores = all.map((n) => n.teacher!).sort((a, b) => a - b);
    const threshold = scores[Math.floor(scores.length / 2)]!;
    const filtered = await assembleTrainingSet(
      specIn(work, {
        ...base(),
        negatives: allOfTop20,
        falseNegatives: { skipTop: 2, maxTeacherScore: threshold },
        output: join(work, "threshold"),
      }),
      { cache },
    );
    const expectKept = (n: NegativeRecord) => n.rank > 2 && n.teacher! < threshold;
    unfiltered.records.forEach((r, i) => {
      expect(filtered.records[i]!.negatives).toEqual(r.negatives.filter(expectKept));
    });
    const skipTop = all.filter((n) => n.rank <= 2).length;
    const byTeacher = all.filter((n) => n.rank > 2 && n.teacher! >= threshold).length;
    expect(skipTop).toBeGreaterThan(0);
    expect(byTeacher).toBeGreaterThan(0);
    expect(filtered.stats.falseNegatives).toEqual({
      filtered: skipTop + byTeacher,
      byReason: { skipTop, maxTeacherScore: byTeacher, relativeMargin: 0 },
    });
  });

  it("keeps negatives a relative margin below the lowest positive", async () => {
    const filtered = await assembleTrainingSet(
      specIn(work, {
        ...base(),
        negatives: allOfTop20,
        falseNegatives: { relativeMargin: 0.01 },
        output: join(work, "margin"),
      }),
      { cache },
    );
    let dropped = 0;
    unfiltered.records.forEach((r, i) => {
      const low = Math.min(...r.positives.map((p) => p.teacher!));
      const keep = r.negatives.filter((n) => n.teacher! < low - 0.01 * Math.abs(low));
      dropped += r.negatives.length - keep.length;
      expect(filtered.records[i]!.negatives).toEqual(keep);
    });
    expect(dropped).toBeGreaterThan(0);
    expect(filtered.stats.falseNegatives.byReason.relativeMargin).toBe(dropped);
  });

  it("mines dense negatives in their window from a dense run, positives excluded", async () => {
    // The run: the fixture bi-encoder's embeddings, searched by brute force here.
    const encoder = await BiEncoder.load(FIXTURE_MODELS.biEncoder);
    const docs = [];
    for await (const d of readBeirCorpus(join(SCIFACT_DIR, "corpus.jsonl"))) docs.push(d);
    const docVectors = await encoder.embed(docs.map(documentText), "document");
    const run: Run = new Map();
    for (const r of unfiltered.records) {
      const [q] = await encoder.embed([r.query], "query");
      const scores = new Map(docs.map((d, i) => [d.id, dot(q!, docVectors[i]!)]));
      run.set(r.qid, new Map(rankByTrecOrder(scores, 50)));
    }
    await encoder.close();
    const runFile = join(work, "dense.trec");
    await writeTrecRun(runFile, run, { tag: "fixture-dense" });
    const result = await assembleTrainingSet(
      specIn(work, {
        corpus: corpusDir,
        queries: { split: "small" },
        positives: { human: {} },
        negatives: { dense: { run: runFile, window: [3, 10], count: 10, pick: "top" } },
        output: join(work, "dense"),
      }),
      { cache },
    );
    for (const r of result.records) {
      const ranked = rankByTrecOrder(run.get(r.qid)!, 10).map(([id]) => id);
      const positives = new Set(r.positives.map((p) => p.id));
      expect(r.negatives.map((n) => n.id)).toEqual(ranked.slice(2).filter((id) => !positives.has(id)));
      for (const n of r.negatives) {
        expect(n.source).toBe("dense");
        expect(ranked[n.rank - 1]).toBe(n.id);
      }
    }
    const histogram = result.stats.negatives.rankHistogram["dense"]!;
    expect(
      Object.keys(histogram)
        .map(Number)
        .every((k) => k >= 3 && k <= 10),
    ).toBe(true);
    expect(Object.values(histogram).reduce((x, y) => x + y, 0)).toBe(result.stats.negatives.total);
  });

  it("plans TAS-Balanced batches: each query once per epoch, from one cluster until it runs out", async () => {
    const result = await assembleTrainingSet(
      specIn(work, {
        ...base(),
        negatives: { bm25: { window: [1, 20], count: 5, pick: "top" } },
        batching: {
          kind: "tas-balanced",
          encoder: FIXTURE_MODELS.biEncoder,
          clusters: 4,
          batchSize: 8,
          epochs: 2,
        },
        output: join(work, "tas"),
      }),
      { cache },
    );
    const batches = result.batches!;
    const byQid = new Map(result.records.map((r) => [r.qid, r]));
    for (const epoch of [0, 1]) {
      const items = batches.filter((b) => b.epoch === epoch).flatMap((b) => b.items);
      expect(items.map((i) => i.qid).sort()).toEqual([...byQid.keys()].sort());
    }
    expect(new Set(batches.map((b) => b.epoch))).toEqual(new Set([0, 1]));
    for (const b of batches) {
      expect(b.items.length).toBeLessThanOrEqual(8);
      for (const item of b.items) {
        const r = byQid.get(item.qid)!;
        expect(r.positives.map((p) => p.id)).toContain(item.positive);
        expect(r.negatives.map((n) => n.id)).toContain(item.negative);
      }
    }
    // Only the last batch of an epoch may be short; a batch spans clusters only when one ran out.
    for (const epoch of [0, 1]) {
      const inEpoch = batches.filter((b) => b.epoch === epoch);
      expect(inEpoch.slice(0, -1).every((b) => b.items.length === 8)).toBe(true);
    }
    expect(result.stats.batches).toMatchObject({
      count: batches.length,
      epochs: 2,
      items: 2 * QUERIES,
      clusters: 4,
    });
    expect(result.stats.batches!.multiCluster).toBeLessThan(batches.length);
  });
});

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
