import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExactIndex } from "./exact-index.js";
import { HnswIndex } from "./hnsw-index.js";

/** mulberry32: a small seeded PRNG so the data set is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unitVectors(n: number, dim: number, next: () => number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const v = next() * 2 - 1;
      out[i * dim + d] = v;
      norm += v * v;
    }
    for (let d = 0; d < dim; d++) out[i * dim + d]! /= Math.sqrt(norm);
  }
  return out;
}

const DIM = 24;
const N = 3000;
const next = rng(42);
const docs = unitVectors(N, DIM, next);
const queries = unitVectors(40, DIM, next);
const ids = Array.from({ length: N }, (_, i) => `doc${i}`);

describe("HnswIndex (usearch)", () => {
  it("finds >= 95% of the exact top-10, with exact inner-product scores", () => {
    const exact = new ExactIndex(DIM);
    exact.add(ids, docs);
    const hnsw = new HnswIndex(DIM, { threads: 1 });
    hnsw.add(ids.slice(0, 1000), docs.subarray(0, 1000 * DIM));
    hnsw.add(ids.slice(1000), docs.subarray(1000 * DIM));
    expect(hnsw.size).toBe(N);
    const truth = exact.search(queries, 10);
    const approx = hnsw.search(queries, 10);
    let found = 0;
    truth.forEach((t, q) => {
      const got = new Set(approx[q]!.map((h) => h.id));
      found += t.filter((h) => got.has(h.id)).length;
      // scores are the same dot products (float32 in usearch)
      const exactScore = new Map(t.map((h) => [h.id, h.score]));
      for (const h of approx[q]!)
        if (exactScore.has(h.id)) expect(h.score).toBeCloseTo(exactScore.get(h.id)!, 5);
    });
    expect(found / (truth.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it("saves and loads to the same answers; an empty index answers nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ferret-hnsw-"));
    try {
      const hnsw = new HnswIndex(DIM, { threads: 1 });
      expect(hnsw.search(queries.subarray(0, DIM), 5)).toEqual([[]]);
      hnsw.add(ids.slice(0, 500), docs.subarray(0, 500 * DIM));
      await hnsw.save(dir);
      const loaded = await HnswIndex.load(dir, DIM, { threads: 1 });
      expect(loaded.size).toBe(500);
      expect(loaded.search(queries, 5)).toEqual(hnsw.search(queries, 5));
      expect(() => loaded.add(["doc3"], docs.subarray(0, DIM))).toThrow(/already in the index/);
      await expect(HnswIndex.load(dir, DIM + 1)).rejects.toThrow(/expected 500 of 25/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
