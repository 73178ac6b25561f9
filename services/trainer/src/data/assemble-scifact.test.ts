/**
 * Assembly over the real SciFact train split with the embedded BM25: negatives checked against the
 * qrels and an independent BM25 ranking, statistics against the records, the artifact against disk.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { rankByTrecOrder, readBeirCorpus, readBeirQueries, type Run } from "@ferret/datasets";
import { EmbeddedBm25 } from "@ferret/retrieval";
import { beforeAll, describe, expect, it } from "vitest";
import { assembleTrainingSet, type AssembleResult } from "./assemble.js";
import {
  MANIFEST_FILE,
  PROVENANCE_FILE,
  STATS_FILE,
  TRAINING_SET_FILE,
  engineExample,
  provenanceOf,
} from "./training-set-format.js";
import { SCIFACT_DIR, scifactTrainRows, tempDir } from "../test-support/scifact.js";
import { specIn } from "../test-support/specs.js";

describe("training set from SciFact train with BM25 negatives", () => {
  let result: AssembleResult;
  let positives: Map<string, Set<string>>;
  let bm25: Run;
  let out: string;

  beforeAll(async () => {
    const rows = await scifactTrainRows();
    positives = new Map();
    for (const [q, d] of rows) {
      if (!positives.has(q)) positives.set(q, new Set());
      positives.get(q)!.add(d);
    }
    // The reference ranking: an index of our own over the corpus, searched for every train query.
    const docs = [];
    for await (const d of readBeirCorpus(join(SCIFACT_DIR, "corpus.jsonl"))) docs.push(d);
    const queries = [];
    for await (const q of readBeirQueries(join(SCIFACT_DIR, "queries.jsonl")))
      if (positives.has(q.id)) queries.push(q);
    const index = await EmbeddedBm25.build(docs);
    bm25 = await index.searchBatch(queries, { k: 30, threads: 1 });
    await index.close();

    const dir = await tempDir();
    out = join(dir, "set");
    const loaded = specIn(dir, {
      corpus: SCIFACT_DIR,
      queries: { split: "train" },
      positives: { human: {} },
      negatives: { bm25: { window: [4, 30], count: 3, pick: "random" }, random: { count: 1 } },
      output: out,
    });
    result = await assembleTrainingSet(loaded);
  }, 120_000);

  it("has one record per train query with exactly its qrels positives", () => {
    expect(result.records).toHaveLength(809);
    let total = 0;
    for (const r of result.records) {
      expect(new Set(r.positives.map((p) => p.id))).toEqual(positives.get(r.qid));
      total += r.positives.length;
    }
    expect(total).toBe(919);
  });

  it("never uses a positive as a negative and keeps BM25 negatives in ranks 4-30", () => {
    for (const r of result.records) {
      const reference = rankByTrecOrder(bm25.get(r.qid)!).map(([id]) => id);
      const ids = r.negatives.map((n) => n.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const n of r.negatives) {
        expect(positives.get(r.qid)!.has(n.id)).toBe(false);
        if (n.source === "bm25") {
          expect(n.rank).toBeGreaterThanOrEqual(4);
          expect(n.rank).toBeLessThanOrEqual(30);
          expect(reference[n.rank - 1]).toBe(n.id);
        }
      }
      const bm25Count = r.negatives.filter((n) => n.source === "bm25").length;
      const available = reference.slice(3, 30).filter((id) => !positives.get(r.qid)!.has(id)).length;
      expect(bm25Count).toBe(Math.min(3, available));
      expect(r.negatives.filter((n) => n.source === "random")).toHaveLength(1);
    }
  });

  it("counts the positives found in the window", () => {
    let inWindow = 0;
    for (const [qid, hits] of bm25) {
      for (const [id] of rankByTrecOrder(hits).slice(3, 30)) if (positives.get(qid)!.has(id)) inWindow++;
    }
    expect(inWindow).toBeGreaterThan(0);
    expect(result.stats.negatives.positivesRemovedFromWindows).toBe(inWindow);
  });

  it("has statistics that add up to the records", () => {
    const s = result.stats;
    const negatives = result.records.reduce((a, r) => a + r.negatives.length, 0);
    expect(s.queries).toMatchObject({
      split: 809,
      synthetic: 0,
      withoutPositives: 0,
      records: 809,
      byStage: { "1": 809 },
    });
    expect(s.positives.total).toBe(919);
    expect(s.positives.bySource).toEqual({ human: 919 });
    expect(Object.values(s.positives.perQuery).reduce((a, b) => a + b, 0)).toBe(809);
    expect(s.positives.perQuery["1"]).toBe(result.records.filter((r) => r.positives.length === 1).length);
    expect(s.negatives.total).toBe(negatives);
    expect(s.negatives.bySource["random"]).toBe(809);
    expect((s.negatives.bySource["bm25"] ?? 0) + 809).toBe(negatives);
    const histogram = s.negatives.rankHistogram["bm25"]!;
    expect(Object.values(histogram).reduce((a, b) => a + b, 0)).toBe(s.negatives.bySource["bm25"]);
    expect(
      Object.keys(histogram)
        .map(Number)
        .every((rank) => rank >= 4 && rank <= 30),
    ).toBe(true);
    expect(s.falseNegatives.filtered).toBe(0);
  });

  it("writes the same records, the stats and a manifest to disk", async () => {
    const read = async (file: string) =>
      (await readFile(join(out, file), "utf8"))
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l) as unknown);
    const examples = await read(TRAINING_SET_FILE);
    expect(examples).toEqual(result.records.map(engineExample));
    // The engine's fields only (its parser rejects others); positives carry their grade.
    expect(Object.keys(examples[0] as object).sort()).toEqual(["negatives", "positives", "qid", "query"]);
    expect(await read(PROVENANCE_FILE)).toEqual(result.records.map(provenanceOf));
    expect(JSON.parse(await readFile(join(out, STATS_FILE), "utf8"))).toEqual(result.stats);
    const manifest = JSON.parse(await readFile(join(out, MANIFEST_FILE), "utf8"));
    expect(manifest).toMatchObject({
      format: "ferret-training-set",
      version: 1,
      files: { stages: [{ stage: 1, file: TRAINING_SET_FILE, records: 809 }], provenance: PROVENANCE_FILE },
    });
  });
});
