import { describe, expect, it } from "vitest";
import { positionIds } from "./session.js";

describe("positionIds", () => {
  it("counts real tokens per row and sets padding to 1, as transformers does", () => {
    // rows of length 4: [1 1 1 0] -> [0 1 2 1]; [1 1 1 1] -> [0 1 2 3]
    const mask = new BigInt64Array([1n, 1n, 1n, 0n, 1n, 1n, 1n, 1n]);
    expect([...positionIds(mask, 4)]).toEqual([0n, 1n, 2n, 1n, 0n, 1n, 2n, 3n]);
  });
});
