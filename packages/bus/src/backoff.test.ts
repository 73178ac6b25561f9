import { describe, expect, it } from "vitest";
import { backoffDelay, resolveBackoff } from "./backoff.js";

describe("backoffDelay", () => {
  const noJitter = resolveBackoff({ initialMs: 500, factor: 3, maxMs: 10_000, jitter: 0 });

  it("grows geometrically from initialMs and stops at maxMs", () => {
    // Hand-computed: 500 * 3^(n-1) = 500, 1500, 4500, 13500 -> capped 10000.
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, noJitter))).toEqual([500, 1500, 4500, 10_000, 10_000]);
  });

  it("stays finite for very large failure counts", () => {
    expect(backoffDelay(100_000, noJitter)).toBe(10_000);
  });

  it("takes at most `jitter` of the delay off", () => {
    const b = resolveBackoff({ initialMs: 1000, factor: 2, maxMs: 60_000, jitter: 0.25 });
    // failures=3 -> 4000 ms before jitter; random 0.999.. takes off ~25% -> 3001, random 0 takes nothing.
    expect(backoffDelay(3, b, () => 0)).toBe(4000);
    expect(backoffDelay(3, b, () => 0.5)).toBe(3500);
    expect(backoffDelay(3, b, () => 0.999)).toBe(3001);
  });

  it("rejects nonsense options", () => {
    expect(() => resolveBackoff({ factor: 0.5 })).toThrow(/factor >= 1/);
    expect(() => resolveBackoff({ jitter: 2 })).toThrow(/jitter/);
  });
});
