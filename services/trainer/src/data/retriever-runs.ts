/**
 * The retriever runs hard negatives are mined from: BM25 over the corpus with @ferret/retrieval's
 * embedded engine, and dense top-k from a live encoder's index (Encoder.Search over gRPC) or read from a
 * TREC run file (services do not import each other, so the trainer does not embed the corpus itself).
 * Each run maps query id -> document id -> score.
 */
import { readTrecRun, type Run } from "@ferret/datasets";
import { InputError } from "@ferret/errors";
import { createClient, type ClientTls } from "@ferret/grpc";
import { EncoderService } from "@ferret/proto";
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

/** Queries per Encoder.Search call. */
const SEARCH_CHUNK = 256;

/** Dense top-k from a live encoder's index; documents it returns must exist in the corpus. */
export async function denseRunFromEncoder(
  encoder: { address: string; index: string },
  queries: readonly TrainingQuery[],
  k: number,
  collection: Collection,
  tls?: ClientTls | undefined,
): Promise<Run> {
  const client = createClient(EncoderService, encoder.address, { deadlineMs: 600_000, tls });
  const run: Run = new Map();
  try {
    for (let i = 0; i < queries.length; i += SEARCH_CHUNK) {
      const response = await client.search({
        index: encoder.index,
        queries: queries.slice(i, i + SEARCH_CHUNK).map((q) => ({ id: q.id, text: q.text, metadata: {} })),
        k,
        exact: true,
        hybrid: undefined,
        removeQuery: false,
        name: "",
        indexArtifact: undefined,
      });
      for (const ranking of response.run?.rankings ?? []) {
        for (const d of ranking.docs) {
          if (!collection.docs.has(d.docId))
            throw new InputError(
              { file: `encoder ${encoder.address} index ${encoder.index}`, field: "doc_id" },
              `unknown document id "${d.docId}": the index is not of this corpus`,
            );
        }
        run.set(ranking.queryId, new Map(ranking.docs.map((d) => [d.docId, d.score])));
      }
    }
  } finally {
    client.close();
  }
  return run;
}
