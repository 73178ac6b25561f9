/**
 * Property-based test of the pruning top k (fixed seed; FERRET_FUZZ_RUNS for more): on random
 * collections full of exact ties (duplicated documents, few distinct words, short lengths sharing norm
 * bytes) and long enough for many posting blocks, block-max MaxScore returns exactly the exhaustive
 * top k: the same documents, in the same order, with the same float scores, for k = 1, 10 and 1000,
 * in index order and in Anserini's document id order.
 */
import fc from "fast-check";
import { fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { describe, expect, it } from "vitest";
import { prng } from "../test-support/prng.js";
import { Bm25Index, type TieBreak } from "./bm25-index.js";
import { Bm25IndexBuilder, type FieldLayout } from "./index-builder.js";
import { BLOCK_SIZE } from "./posting-blocks.js";

interface CollectionSpec {
  seed: number;
  numDocs: number;
  vocabulary: number;
  maxLength: number;
  duplicateRate: number;
  layout: FieldLayout;
}

/** Words that survive English analysis unchanged and distinct (no stop words, no stemming). */
const word = (i: number): string => `zq${i.toString(36)}x`;

function collection(spec: CollectionSpec): Bm25Index {
  const random = prng(spec.seed);
  // Skewed word choice, so some terms span many blocks and others few documents.
  const pick = (): string => word(Math.floor(spec.vocabulary * random() ** 3));
  const text = (): string =>
    // Mostly short texts with a long tail: impacts (and block maxima) vary from block to block.
    Array.from({ length: 1 + Math.floor(random() * random() * spec.maxLength) }, pick).join(" ");
  const builder = new Bm25IndexBuilder({ layout: spec.layout });
  const texts: { title: string; text: string }[] = [];
  for (let d = 0; d < spec.numDocs; d++) {
    const copy = texts.length > 0 && random() < spec.duplicateRate;
    const doc = copy
      ? (texts[Math.floor(random() * texts.length)] as { title: string; text: string })
      : { title: random() < 0.5 ? text() : "", text: text() };
    texts.push(doc);
    // Ids whose code point order differs from index order.
    builder.add({ id: String((d * 7919) % 100_003), ...doc });
  }
  return Bm25Index.fromBuilt(builder.finish());
}

const collectionSpec: fc.Arbitrary<CollectionSpec> = fc.record({
  seed: fc.integer(),
  numDocs: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 4 * BLOCK_SIZE, max: 3000 })),
  vocabulary: fc.integer({ min: 1, max: 60 }),
  maxLength: fc.integer({ min: 1, max: 60 }),
  duplicateRate: fc.constantFrom(0, 0.3, 0.8),
  layout: fc.constantFrom<FieldLayout>("flat", "multifield"),
});

/** A bag of words with boosts: query term counts, and RM3-like fractional weights. */
const queryTerms = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 70 }), fc.constantFrom(1, 2, 3, 0.5, 0.1234567, 0.9999)),
  { minLength: 1, maxLength: 12 },
);

describe("block-max MaxScore top k", () => {
  it(
    "equals the exhaustive top k (documents, order, float scores) on random collections full of ties",
    () => {
      fc.assert(
        fc.property(collectionSpec, fc.array(queryTerms, { minLength: 1, maxLength: 6 }), (spec, queries) => {
          const index = collection(spec);
          for (const q of queries) {
            const terms = new Map(q.map(([t, boost]) => [word(t), boost] as [string, number]));
            for (const k of [1, 10, 1000]) {
              for (const tieBreak of ["index", "docid"] satisfies TieBreak[]) {
                const fast = index.searchTerms(terms, { k, tieBreak, algorithm: "maxscore" });
                const full = index.searchTerms(terms, { k, tieBreak, algorithm: "exhaustive" });
                expect(Array.from(fast.docs)).toEqual(Array.from(full.docs));
                expect(Array.from(fast.scores)).toEqual(Array.from(full.scores));
              }
            }
          }
        }),
        fuzzParameters(50),
      );
    },
    fuzzTimeout(60_000),
  );

  it("bounds a clause by every block it has in a window, not only the first", () => {
    // "dense" (word 0) is once in every other document, all long, and ten times in a document X some
    // blocks in; "rare" (word 1) is in documents 0, Y (in dense's second block) and X only (one block
    // spanning all), all three 12 words long. From Y on, "dense" is non-essential and "rare" leads: the
    // next window runs to X, and only a bound that includes X's block keeps X, the best document.
    const x = 8 * BLOCK_SIZE + 6;
    const y = 2 * BLOCK_SIZE + 44;
    const filler = Array.from({ length: 40 }, (_, i) => word(100 + i)).join(" ");
    const builder = new Bm25IndexBuilder();
    for (let d = 0; d < 12 * BLOCK_SIZE; d++) {
      let text = d % 2 === 0 ? `${word(0)} ${filler}` : filler;
      if (d === 0 || d === y)
        text = [word(1), word(0), ...Array.from({ length: 10 }, (_, i) => word(200 + i))].join(" ");
      if (d === x) text = [word(1), ...Array(10).fill(word(0)), word(200)].join(" ");
      builder.add({ id: `d${d}`, title: "", text });
    }
    const index = Bm25Index.fromBuilt(builder.finish());
    const terms = new Map([
      [word(0), 1],
      [word(1), 1],
    ]);
    for (const tieBreak of ["index", "docid"] satisfies TieBreak[]) {
      const fast = index.searchTerms(terms, { k: 1, tieBreak });
      const full = index.searchTerms(terms, { k: 1, tieBreak, algorithm: "exhaustive" });
      expect(Array.from(full.docs)).toEqual([x]);
      expect(Array.from(fast.docs)).toEqual([x]);
      expect(Array.from(fast.scores)).toEqual(Array.from(full.scores));
    }
  });
});
