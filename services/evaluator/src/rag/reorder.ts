/**
 * Retrieval reordering for long-context RAG (Jin et al., "Long-Context LLMs Meet RAG", ICLR 2025;
 * research-methods §12): put the highest-ranked passages at the beginning and the end of the context,
 * where long-context models attend best. Rank i (1-based) of k goes to position (i + 1) / 2 when i is odd
 * and to (k + 1) − i / 2 when i is even, giving [d1, d3, d5, …, d6, d4, d2].
 */

/** 1-based context position of the passage ranked i (1-based) among k. */
export function reorderedPosition(i: number, k: number): number {
  return i % 2 === 1 ? (i + 1) / 2 : k + 1 - i / 2;
}

/** Returns the passages (given in rank order) in their context order. */
export function reorderForLongContext<T>(ranked: readonly T[]): T[] {
  const k = ranked.length;
  const out = new Array<T>(k);
  for (let i = 1; i <= k; i++) out[reorderedPosition(i, k) - 1] = ranked[i - 1] as T;
  return out;
}
