import { describe, expect, it } from "vitest";
import { compareCodePoints, compareTrecOrder, rankByTrecOrder } from "./trec-order.js";
import { removeQueryIds } from "./remove-query.js";

describe("trec_eval order", () => {
  it("ranks by score descending, ties by docid descending in byte order", () => {
    const docs = new Map([
      ["d1", 1],
      ["d10", 2],
      ["d2", 2],
      ["d9", 0.5],
    ]);
    expect(rankByTrecOrder(docs).map(([d]) => d)).toEqual(["d2", "d10", "d1", "d9"]);
    expect(rankByTrecOrder(docs, 2).map(([d]) => d)).toEqual(["d2", "d10"]);
  });

  it("compares ids by code point where UTF-16 order differs (astral vs U+E000..U+FFFF)", () => {
    const astral = "\u{1F600}"; // UTF-8 F0 9F 98 80, above U+FFFD (EF BF BD) in byte order
    const bmpHigh = "\uFFFD";
    expect(astral < bmpHigh).toBe(true); // UTF-16 code units say otherwise
    expect(compareCodePoints(astral, bmpHigh)).toBeGreaterThan(0);
    expect(Buffer.compare(Buffer.from(astral), Buffer.from(bmpHigh))).toBeGreaterThan(0);
    // trec_eval puts the larger id first on a tie
    expect(compareTrecOrder([astral, 1], [bmpHigh, 1])).toBeLessThan(0);
  });

  it("agrees with strcmp on UTF-8 bytes for every pair of a mixed id set", () => {
    const ids = ["", "a", "ab", "b", "A", "10", "9", "é", "\uE000", "\u{10000}", "\u{1F600}x", "z\uFFFF"];
    for (const a of ids)
      for (const b of ids)
        expect(Math.sign(compareCodePoints(a, b))).toBe(
          Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))),
        );
  });
});

describe("removeQueryIds", () => {
  it("drops each query's own id and fetches nothing in its place", () => {
    const run = new Map([
      [
        "1",
        new Map([
          ["1", 3],
          ["2", 2],
          ["3", 1],
        ]),
      ],
      ["q", new Map([["1", 3]])],
    ]);
    removeQueryIds(run);
    expect([...(run.get("1") ?? [])]).toEqual([
      ["2", 2],
      ["3", 1],
    ]);
    expect([...(run.get("q") ?? [])]).toEqual([["1", 3]]);
  });
});
