import { describe, expect, it } from "vitest";
import { createPrng } from "./prng.js";

describe("seeded PRNG", () => {
  it("is MT19937: the 10000th output for seed 5489 is 4123659995 (C++ [rand.predef] requirement)", () => {
    const prng = createPrng(5489);
    let value = 0;
    for (let i = 0; i < 10_000; i++) value = prng.nextUint32();
    expect(value).toBe(4123659995);
  });

  it("draws unbiased integers in range", () => {
    const prng = createPrng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[prng.nextInt(3)]! += 1;
    // each count ~ Binomial(30000, 1/3): sd ≈ 81.6; 5 sd = 408
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(408);
    expect(() => prng.nextInt(0)).toThrow(/integer range/);
    expect(() => createPrng(1.5)).toThrow(/integer/);
  });
});
