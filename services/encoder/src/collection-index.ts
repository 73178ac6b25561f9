/**
 * Building and reopening the dense index of one collection with one model: what IndexCorpus and
 * Search need. The index is tied to the model by its fingerprint (see index-store.ts).
 */
import { basename } from "node:path";
import type { DocumentRecord } from "@ferret/datasets";
import type { BiEncoder } from "@ferret/inference";
import { indexDocuments } from "./dense-retriever.js";
import type { IndexDocumentsOptions } from "./dense-retriever.js";
import { createVectorIndex } from "./vector-index/create-index.js";
import type { IndexKind } from "./vector-index/create-index.js";
import type { HnswOptions } from "./vector-index/hnsw-index.js";
import { loadDenseIndex, saveDenseIndex } from "./vector-index/index-store.js";
import type { IndexManifest } from "./vector-index/index-store.js";
import type { VectorIndex } from "./vector-index/vector-index.js";

export interface BuildCollectionIndexOptions extends IndexDocumentsOptions {
  /** "auto" (default): exact up to EXACT_SEARCH_MAX_VECTORS documents, else HNSW. */
  kind?: IndexKind;
  /** Number of documents, when known, for the "auto" choice (default: exact). */
  expectedSize?: number;
  hnsw?: HnswOptions;
  collection?: string;
}

/** Embeds every document, saves the index with its manifest into `dir`, and returns both. */
export async function buildCollectionIndex(
  encoder: BiEncoder,
  docs: Iterable<DocumentRecord> | AsyncIterable<DocumentRecord>,
  dir: string,
  options: BuildCollectionIndexOptions = {},
): Promise<{ index: VectorIndex; manifest: IndexManifest }> {
  const index = createVectorIndex(
    options.kind ?? "auto",
    encoder.dimension,
    options.expectedSize ?? 0,
    options.hnsw,
  );
  await indexDocuments(encoder, index, docs, options);
  const manifest = await saveDenseIndex(dir, index, {
    modelFingerprint: await encoder.fingerprint(),
    modelName: basename(encoder.dir),
    ...(options.collection === undefined ? {} : { collection: options.collection }),
  });
  return { index, manifest };
}

/** Reopens an index saved by buildCollectionIndex; ConflictError if another model built it. */
export async function openCollectionIndex(
  encoder: BiEncoder,
  dir: string,
  hnsw?: HnswOptions,
): Promise<{ index: VectorIndex; manifest: IndexManifest }> {
  return loadDenseIndex(dir, { expectFingerprint: await encoder.fingerprint(), ...(hnsw ? { hnsw } : {}) });
}
