/**
 * The retriever runs hard negatives are mined from: BM25 over the corpus with @ferret/retrieval's
 * embedded engine, and dense top-k read from a TREC run file (the encoder's Search over the training
 * queries, saved; services do not import each other, so the trainer does not embed the corpus itself).
 * Each run maps query id -> document id -> score.
 */
import { readTrecRun, type Run } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import type { EmbeddedBm25 } from "@ferret/retrieval";
import type { Collection } from "./collection.js";
import type { TrainingQuery } from "./training-queries.js";

export async function bm25Run(
  bm25: EmbeddedBm25,
  queries: readonly TrainingQuery[],
  k: number,
): Promise<Run> {
  return bm25.searchBatch(
    queries.map((q) => ({ id: q.id, text: q.text })),
    { k },
  );
}

/** A dense run from a file; its documents must exist in the corpus. */
export async function denseRunFromFile(path: string, collection: Collection): Promise<Run> {
  const { run } = await readTrecRun(path);
  for (const [qid, row] of run) {
    for (const docId of row.keys()) {
      if (!collection.docs.has(docId))
        throw new InputError(
          { file: path, field: "docid" },
          `unknown document id "${docId}" (query "${qid}")`,
        );
    }
  }
  return run;
}
