import { describe, expect, it } from "vitest";
import { kMeans } from "./kmeans.js";
import { seededRandom } from "./random.js";

describe("kMeans", () => {
  it("recovers well-separated blobs and is deterministic for a seed", () => {
    // Three blobs of 20 points around (0,0), (10,0) and (0,10), jittered by at most 0.5.
    const jitter = seededRandom(1, "jitter");
    const centres = [
      [0, 0],
      [10, 0],
      [0, 10],
    ];
    const truth: number[] = [];
    const data: number[] = [];
    for (let i = 0; i < 60; i++) {
      const c = i % 3;
      truth.push(c);
      data.push(centres[c]![0]! + jitter() - 0.5, centres[c]![1]! + jitter() - 0.5);
    }
    const vectors = new Float32Array(data);
    const a = kMeans(vectors, 2, 3, seededRandom(7, "km"));
    const b = kMeans(vectors, 2, 3, seededRandom(7, "km"));
    expect([...a.assignments]).toEqual([...b.assignments]);
    // Same partition as the truth, whatever the cluster numbering.
    for (let i = 0; i < 60; i++) {
      for (let j = 0; j < 60; j++) {
        expect(a.assignments[i] === a.assignments[j]).toBe(truth[i] === truth[j]);
      }
    }
    // Centroids are the blob means (within the jitter).
    const found = [0, 1, 2].map((c) => [a.centroids[c * 2]!, a.centroids[c * 2 + 1]!]);
    for (const [x, y] of centres)
      expect(found.some(([fx, fy]) => Math.hypot(fx! - x!, fy! - y!) < 0.5)).toBe(true);
  });

  it("caps k at the number of rows", () => {
    const r = kMeans(new Float32Array([1, 2, 3, 4]), 2, 5, seededRandom(1));
    expect(new Set(r.assignments).size).toBe(2);
    expect(r.centroids.length).toBe(4);
  });
});
