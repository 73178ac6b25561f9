/**
 * Loads only the texts a rerank needs from a BEIR directory: corpus.jsonl is streamed and just the
 * documents the run retrieved (top `depth`) are kept, so a large corpus costs one pass, not its size in memory.
 */
import { join } from "node:path";
import { readBeirCorpus, readBeirQueries, type DocumentRecord, type QueryRecord } from "@ferret/datasets";
import { passageText } from "./passage-text.js";
import type { RerankTexts } from "./rerank-run.js";

export interface BeirTextsOptions {
  /** Skip malformed lines instead of failing. */
  lenient?: boolean;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Texts from in-memory records (inline gRPC requests, tests). */
export function recordTexts(
  documents: Iterable<Pick<DocumentRecord, "id" | "title" | "text">>,
  queries: Iterable<Pick<QueryRecord, "id" | "text">>,
  label: string,
): RerankTexts {
  const passages = new Map<string, string>();
  for (const d of documents) passages.set(d.id, passageText(d));
  const queryTexts = new Map<string, string>();
  for (const q of queries) queryTexts.set(q.id, q.text);
  return { label, query: (id) => queryTexts.get(id), passage: (id) => passages.get(id) };
}

/** Reads `dir`/queries.jsonl and the documents of `docIds` from `dir`/corpus.jsonl. */
export async function loadBeirTexts(
  dir: string,
  docIds: ReadonlySet<string>,
  options: BeirTextsOptions = {},
): Promise<RerankTexts> {
  const read = options.lenient === true ? { lenient: true } : {};
  const documents: DocumentRecord[] = [];
  const corpus = readBeirCorpus(join(dir, "corpus.jsonl"), {
    ...read,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  for await (const doc of corpus) if (docIds.has(doc.id)) documents.push(doc);
  const queries: QueryRecord[] = [];
  for await (const q of readBeirQueries(join(dir, "queries.jsonl"), read)) queries.push(q);
  return recordTexts(documents, queries, dir);
}
