/**
 * The retriever runs hard negatives are mined from: BM25 over the corpus with @ferret/retrieval's
 * embedded engine, and dense top-k either searched exactly in-process with a bi-encoder model dir (the
 * encoder's own indexDocuments/denseSearch) or read from a TREC run file (e.g. written from the
 * encoder's Search). Each run maps query id -> document id -> score.
 */
import { readTrecRun, type Run } from "@ferret/datasets";
import { ExactIndex, denseSearch, indexDocuments } from "@ferret/encoder";
import { InputError } from "@ferret/errors";
import { BiEncoder } from "@ferret/inference";
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

export async function denseRunFromModel(
  collection: Collection,
  queries: readonly TrainingQuery[],
  options: { model: string; k: number },
): Promise<Run> {
  const encoder = await BiEncoder.load(options.model);
  try {
    const index = new ExactIndex(encoder.config.dimension);
    await indexDocuments(encoder, index, collection.docs.values());
    return await denseSearch(
      encoder,
      index,
      queries.map((q) => ({ id: q.id, text: q.text })),
      options.k,
    );
  } finally {
    await encoder.close();
  }
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
