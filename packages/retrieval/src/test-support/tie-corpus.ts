import { intToByte4 } from "../bm25/small-float.js";
import { prng } from "./prng.js";

/**
 * A small collection full of exact BM25 ties, deterministic: groups of duplicated documents, and short
 * documents whose different lengths share one Lucene norm byte (so equal term frequencies score
 * equal). Ids are shuffled numbers ("1" .. "n", whose code point order is neither numeric nor index
 * order) plus a few non-ASCII ids in tied groups, where UTF-16 and code point order disagree.
 */

export interface TieCorpus {
  docs: { id: string; title: string; text: string }[];
  queries: { id: string; text: string }[];
  /** Two lengths above 24 that Lucene stores as the same norm byte. */
  sharedNormLengths: [number, number];
}

export function tieCorpus(seed = 7): TieCorpus {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const vocab = Array.from({ length: 24 }, (_, i) => `term${i}`);
  const filler = Array.from({ length: 8 }, (_, i) => `filler${i}`);
  let a = 25;
  while (intToByte4(a) !== intToByte4(a + 1)) a++;
  const sharedNormLengths: [number, number] = [a, a + 1];

  const texts: string[] = [];
  // Duplicated documents: 30 distinct texts, each 1-5 times.
  for (let g = 0; g < 30; g++) {
    const words = Array.from({ length: 3 + Math.floor(random() * 12) }, () => pick(vocab));
    const copies = 1 + Math.floor(random() * 5);
    for (let c = 0; c < copies; c++) texts.push(words.join(" "));
  }
  // Copies that hold the highest impact of both their terms: a later copy's bound equals the k-th score
  // exactly (the MaxScore pruning case that must not drop a tie).
  for (let c = 0; c < 5; c++) texts.push("rareone raretwo raretwo");
  // Short documents: one or two query terms, padded with filler to one of two lengths sharing a norm.
  for (let g = 0; g < 60; g++) {
    const terms = [pick(vocab), ...(random() < 0.5 ? [pick(vocab)] : [])];
    const length = sharedNormLengths[g % 2] as number;
    const words = [...terms];
    while (words.length < length) words.push(pick(filler));
    texts.push(words.join(" "));
  }
  // Shuffled numeric ids, then a few non-ASCII ones on duplicated documents.
  const ids = texts.map((_, i) => String(i + 1));
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j] as string, ids[i] as string];
  }
  const docs = texts.map((text, i) => ({ id: ids[i] as string, title: "", text }));
  const odd = ["\u{1F600}", "\uFFFD", "é", "z"];
  for (const [i, id] of odd.entries()) docs.push({ id, title: "", text: docs[i]?.text as string });

  // Random terms, and the texts of documents (whose duplicates then tie at the top, term for term).
  const queries = Array.from({ length: 60 }, (_, i) => ({
    id: `q${i}`,
    text: Array.from({ length: 1 + (i % 3) }, () => pick(vocab)).join(" "),
  }));
  queries.push({ id: "rare", text: "rareone raretwo" });
  for (let i = 0; i < 40; i++) queries.push({ id: `t${i}`, text: (docs[i * 3] as { text: string }).text });
  return { docs, queries, sharedNormLengths };
}
