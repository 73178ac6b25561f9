/**
 * Dense retrieval (Karpukhin et al. 2020, DPR; Reimers & Gurevych 2019, SBERT): documents and
 * queries are embedded by the same bi-encoder and ranked by inner product. Documents are embedded
 * as `title + " " + text`, as BEIR's and MTEB's sentence-transformers evaluations do.
 */
import type { DocumentRecord, QueryRecord, Run } from "@ferret/datasets";
import type { BiEncoder } from "@ferret/inference";
import type { VectorIndex } from "./vector-index/vector-index.js";

export interface IndexDocumentsOptions {
  /** Documents embedded per call (the encoder batches further by length). */
  chunkSize?: number;
  onProgress?: (documentsIndexed: number) => void;
}

export function documentText(doc: DocumentRecord): string {
  return `${doc.title} ${doc.text}`.trim();
}

/** Embeds and adds every document; returns how many were added. */
export async function indexDocuments(
  encoder: BiEncoder,
  index: VectorIndex,
  docs: Iterable<DocumentRecord> | AsyncIterable<DocumentRecord>,
  options: IndexDocumentsOptions = {},
): Promise<number> {
  const chunkSize = options.chunkSize ?? 256;
  let chunk: DocumentRecord[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const vectors = await encoder.embedMatrix(chunk.map(documentText), "document");
    index.add(
      chunk.map((d) => d.id),
      vectors,
    );
    done += chunk.length;
    chunk = [];
    options.onProgress?.(done);
  };
  for await (const doc of docs) {
    chunk.push(doc);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return done;
}

/** Top-k documents per query as a TREC run (qid -> docid -> inner product). */
export async function denseSearch(
  encoder: BiEncoder,
  index: VectorIndex,
  queries: readonly QueryRecord[],
  k: number,
): Promise<Run> {
  const vectors = await encoder.embedMatrix(
    queries.map((q) => q.text),
    "query",
  );
  const hits = index.search(vectors, k);
  const run: Run = new Map();
  queries.forEach((q, i) => run.set(q.id, new Map(hits[i]!.map((h) => [h.id, h.score]))));
  return run;
}
