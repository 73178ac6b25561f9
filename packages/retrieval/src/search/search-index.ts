import type { Bm25Index, TopDocs } from "../bm25/bm25-index.js";
import { searchWithRm3 } from "../bm25/rm3.js";
import { adjustTiedScores } from "./anserini-ties.js";
import {
  checkTieRule,
  type LexicalQuery,
  type LexicalSearchOptions,
  type SearchHit,
} from "./lexical-backend.js";

/**
 * One query against an embedded index: BM25 (or BM25 + RM3); with Anserini's tie rule, its score
 * writing; then remove-query (drop the document whose id is the query id, after retrieving k), in
 * Anserini's order of these steps. Internal document numbers, best first.
 */
export function searchTopDocs(
  index: Bm25Index,
  query: LexicalQuery,
  options: LexicalSearchOptions = {},
): TopDocs {
  checkTieRule(options);
  const searchOptions = {
    k: options.k ?? 1000,
    ...(options.bm25 ? { bm25: options.bm25 } : {}),
    ...(options.fieldWeights ? { fieldWeights: options.fieldWeights } : {}),
    ...(options.ties === "anserini" ? { tieBreak: "docid" as const } : {}),
  };
  const top = options.rm3
    ? searchWithRm3(index, query.text, {
        ...searchOptions,
        ...(options.rm3 === true ? {} : { rm3: options.rm3 }),
      })
    : index.search(query.text, searchOptions);
  if (options.ties === "anserini") adjustTiedScores(top.scores);
  if (!options.removeQuery) return top;
  const self = index.docNumber(query.id);
  if (self === undefined) return top;
  const at = top.docs.indexOf(self);
  if (at < 0) return top;
  const docs = new Int32Array(top.docs.length - 1);
  const scores = new Float32Array(top.docs.length - 1);
  docs.set(top.docs.subarray(0, at));
  docs.set(top.docs.subarray(at + 1), at);
  scores.set(top.scores.subarray(0, at));
  scores.set(top.scores.subarray(at + 1), at);
  return { docs, scores };
}

export function topDocsToHits(index: Bm25Index, top: TopDocs): SearchHit[] {
  return Array.from(top.docs, (d, i) => ({ id: index.docIds[d] as string, score: top.scores[i] as number }));
}

/** One query against an embedded index, as hits with external ids. */
export function searchIndex(
  index: Bm25Index,
  query: LexicalQuery,
  options: LexicalSearchOptions = {},
): SearchHit[] {
  return topDocsToHits(index, searchTopDocs(index, query, options));
}
