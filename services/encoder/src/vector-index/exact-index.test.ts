import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExactIndex } from "./exact-index.js";

// 2-d vectors; expected dot products computed by hand in the comments
const ids = ["a", "b", "c", "d"];
const docs = new Float32Array([1, 0, 0, 1, 0.5, 0.5, 1, 0]);

describe("ExactIndex", () => {
  it("ranks by inner product; ties go to the higher id (trec_eval order)", () => {
    const index = new ExactIndex(2);
    index.add(ids, docs);
    // q = (2, 1): a=2, b=1, c=1.5, d=2 -> d (tie with a, "d" > "a"), a, c, b
    const [hits] = index.search(new Float32Array([2, 1]), 3);
    expect(hits).toEqual([
      { id: "d", score: 2 },
      { id: "a", score: 2 },
      { id: "c", score: 1.5 },
    ]);
  });

  it("answers several queries, k beyond the size, and k = 0", () => {
    const index = new ExactIndex(2);
    index.add(ids.slice(0, 2), docs.subarray(0, 4));
    index.add(ids.slice(2), docs.subarray(4));
    expect(index.size).toBe(4);
    const res = index.search(new Float32Array([0, 1, -1, 0]), 10);
    // q1 = (0, 1): b=1, c=0.5, then a=d=0 -> d before a
    expect(res[0]!.map((h) => h.id)).toEqual(["b", "c", "d", "a"]);
    // q2 = (-1, 0): b=0, c=-0.5, d=a=-1
    expect(res[1]!.map((h) => h.score)).toEqual([0, -0.5, -1, -1]);
    expect(index.search(new Float32Array([1, 1]), 0)).toEqual([[]]);
  });

  it("rejects duplicate ids and misshapen vectors", () => {
    const index = new ExactIndex(2);
    index.add(["a"], new Float32Array([1, 0]));
    expect(() => index.add(["a"], new Float32Array([0, 1]))).toThrow(/already in the index/);
    expect(() => index.add(["x", "y"], new Float32Array([0, 1, 2]))).toThrow(/expected 2 x 2/);
    expect(() => index.search(new Float32Array([1, 2, 3]), 1)).toThrow(/multiple of 2/);
  });

  it("saves and loads the same vectors and ids", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ferret-exact-"));
    try {
      const index = new ExactIndex(2);
      index.add(ids, docs);
      await index.save(dir);
      const loaded = await ExactIndex.load(dir, 2);
      expect(loaded.search(new Float32Array([2, 1]), 4)).toEqual(index.search(new Float32Array([2, 1]), 4));
      await expect(ExactIndex.load(dir, 3)).rejects.toThrow(/vectors.f32/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
