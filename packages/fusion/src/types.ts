/**
 * Structural copies of @ferret/datasets' Run and Qrels (packages/datasets/src/types.ts). Kept local so the
 * encoder can use fusion without the dataset readers; any Map<string, Map<string, number>> fits both.
 */

/** qid -> docid -> score. A TREC run. */
export type Run = Map<string, Map<string, number>>;

/** qid -> docid -> relevance label. */
export type Qrels = Map<string, Map<string, number>>;

/** One query's results: docid -> score. */
export type Results = ReadonlyMap<string, number>;
