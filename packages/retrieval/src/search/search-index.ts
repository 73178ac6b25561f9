import type { Bm25Index, TopDocs } from "../bm25/bm25-index.js";
import { searchWithRm3 } from "../bm25/rm3.js";
import {
  removeQueryHits,
  type LexicalQuery,
  type LexicalSearchOptions,
  type SearchHit,
} from "./lexical-backend.js";

/** One query against an embedded index: BM25 (or BM25 + RM3), hits by external id, -removeQuery. */
export function searchIndex(
  index: Bm25Index,
  query: LexicalQuery,
  options: LexicalSearchOptions = {},
): SearchHit[] {
  const searchOptions = {
    k: options.k ?? 1000,
    ...(options.bm25 ? { bm25: options.bm25 } : {}),
    ...(options.fieldWeights ? { fieldWeights: options.fieldWeights } : {}),
  };
  let top: TopDocs;
  if (options.rm3) {
    top = searchWithRm3(index, query.text, {
      ...searchOptions,
      ...(options.rm3 === true ? {} : { rm3: options.rm3 }),
    });
  } else {
    top = index.search(query.text, searchOptions);
  }
  const hits: SearchHit[] = Array.from(top.docs, (d, i) => ({
    id: index.docIds[d] as string,
    score: top.scores[i] as number,
  }));
  return options.removeQuery ? removeQueryHits(query.id, hits) : hits;
}
