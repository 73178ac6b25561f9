/**
 * Hugging Face's LongestFirst pair truncation (tokenizers/src/utils/truncation.rs), cases computed by hand
 * from that rule: the shorter segment keeps everything if the longer can take the rest of the budget; else
 * floor(budget/2) for the shorter, ceil for the longer; equal lengths: the first gets the floor.
 */
import { describe, expect, it } from "vitest";
import { longestFirstLengths } from "./pair-truncation.js";

describe("longestFirstLengths", () => {
  it.each([
    [10, 20, 61, [10, 20]], // fits
    [10, 641, 61, [10, 51]], // short query kept whole
    [132, 641, 61, [30, 31]], // both long, odd budget: the extra token to the longer (second)
    [641, 132, 61, [31, 30]], // ... also when the longer is first
    [100, 100, 61, [30, 31]], // equal: the first gets the floor
    [40, 40, 60, [30, 30]],
    [31, 500, 61, [30, 31]], // the shorter itself over half: both cut
  ] as const)("(%i, %i) in %i -> %j", (n1, n2, budget, expected) => {
    expect(longestFirstLengths(n1, n2, budget)).toEqual(expected);
  });
});
