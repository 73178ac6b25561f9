/**
 * STAR-style random negatives (research-methods §5, Zhan et al. 2021): static hard negatives alone make
 * training unstable, so uniformly drawn corpus documents are added. Drawn per query from its own seeded
 * stream, never a known positive of the query nor a document it already has as a negative.
 */
import type { NegativeCandidate } from "./hard-negatives.js";
import { randomInt, seededRandom } from "./random.js";

export function randomNegatives(
  docIds: readonly string[],
  count: number,
  avoid: ReadonlySet<string>,
  seed: number,
  queryKey: string,
): NegativeCandidate[] {
  const random = seededRandom(seed, "random-negatives", queryKey);
  const chosen = new Set<string>();
  const available = docIds.filter((id) => !avoid.has(id)).length;
  const want = Math.min(count, available);
  while (chosen.size < want) {
    const id = docIds[randomInt(random, docIds.length)]!;
    if (!avoid.has(id)) chosen.add(id);
  }
  return [...chosen].map((id) => ({ id, source: "random", rank: 0, score: 0 }));
}
