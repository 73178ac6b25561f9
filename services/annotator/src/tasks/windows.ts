/**
 * Candidate windows for listwise prompts: candidates are shuffled with a PRNG seeded by the query id
 * (LLMs favour early positions, so retrieval order must not leak into the prompt), then cut into windows
 * of at most 16. The same query always gives the same windows, so identifiers are stable across reruns
 * (and cache keys match); each passage keeps its original candidate position for provenance.
 */
import { createHash } from "node:crypto";
import { MAX_WINDOW } from "./listwise.js";

export interface Placed<T> {
  item: T;
  /** 0-based position in the candidate list as retrieved. */
  originalPosition: number;
  window: number;
  /** 1-based identifier inside its window ([i] in the prompt). */
  identifier: number;
}

/** mulberry32: a small, well-distributed 32-bit PRNG; enough for shuffling, reproducible from a seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32LE(0);
}

export function shuffledWindows<T>(items: readonly T[], seed: string, size = MAX_WINDOW): Placed<T>[][] {
  const order = items.map((item, originalPosition) => ({ item, originalPosition }));
  const random = mulberry32(seedOf(seed));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return equalChunks(order, size).map((chunk, w) =>
    chunk.map((o, i) => ({ ...o, window: w, identifier: i + 1 })),
  );
}

/** Equal-sized chunks of at most `size` (17 items -> 9 + 8, not 16 + 1), so no window holds a lone item. */
export function equalChunks<T>(items: readonly T[], size: number): T[][] {
  const count = Math.ceil(items.length / size);
  const per = Math.ceil(items.length / Math.max(1, count));
  const chunks: T[][] = [];
  for (let c = 0; c < count; c++) chunks.push(items.slice(c * per, (c + 1) * per));
  return chunks;
}
