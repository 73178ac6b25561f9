/**
 * Seeded randomness for data assembly. Each use draws from its own stream named by (seed, purpose, key),
 * e.g. (13, "bm25-pick", query id), so a query's sample does not change when other queries are added or
 * the order of work changes. Node has no seeded generator; the stream is SplitMix32-style mixing of a
 * SHA-256-derived state (Steele et al. 2014's SplitMix constants adapted to 32 bits).
 */
import { createHash } from "node:crypto";

export type Random = () => number;

export function seededRandom(seed: number, ...key: (string | number)[]): Random {
  const digest = createHash("sha256")
    .update(JSON.stringify([seed, ...key]))
    .digest();
  let state = digest.readUInt32LE(0);
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** n distinct items drawn uniformly, in their original order. */
export function sample<T>(items: readonly T[], n: number, random: Random): T[] {
  if (n >= items.length) return [...items];
  const chosen = new Set(
    shuffled(
      items.map((_, i) => i),
      random,
    ).slice(0, n),
  );
  return items.filter((_, i) => chosen.has(i));
}

export function randomInt(random: Random, below: number): number {
  return Math.floor(random() * below);
}
