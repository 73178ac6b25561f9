import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { InvalidArgumentError } from "@ferret/errors";
import { writeBeirCorpus, writeBeirQrels, writeBeirQueries } from "./beir-writers.js";
import type { DocumentRecord, Qrels, QueryRecord, ReadOptions, ReadStats } from "./types.js";

/** A collection in any readable format, as streams (e.g. a GlasgowCollection). */
export interface CollectionSource {
  documents(opts?: ReadOptions): AsyncIterable<DocumentRecord> & { readonly stats?: ReadStats };
  queries(opts?: ReadOptions): AsyncIterable<QueryRecord> & { readonly stats?: ReadStats };
  qrels(opts?: ReadOptions): Promise<{ qrels: Qrels; stats?: ReadStats }>;
}

export interface ConvertedCounts {
  documents: number;
  queries: number;
  judgments: number;
  /** Malformed lines skipped in lenient mode, over the three files (0 in strict mode, which throws). */
  skipped: number;
}

/**
 * Writes a collection as a BEIR directory: corpus.jsonl, queries.jsonl and qrels/<split>.tsv, each
 * file atomically (a failed conversion leaves no partial file behind, and earlier files as they were).
 */
export async function convertToBeir(
  source: CollectionSource,
  outDir: string,
  opts: ReadOptions & { split?: string } = {},
): Promise<ConvertedCounts> {
  const split = opts.split ?? "test";
  if (!/^[\w.-]+$/.test(split)) throw new InvalidArgumentError(`invalid split name "${split}"`);
  const read = { ...(opts.lenient !== undefined ? { lenient: opts.lenient } : {}) };
  // Read (and so validate) the judgments first: they are the file most likely to be malformed.
  const judged = await source.qrels(read);
  const { qrels } = judged;
  await mkdir(join(outDir, "qrels"), { recursive: true });
  const docStream = source.documents(read);
  const documents = await writeBeirCorpus(join(outDir, "corpus.jsonl"), docStream);
  const queryStream = source.queries(read);
  const queries = await writeBeirQueries(join(outDir, "queries.jsonl"), queryStream);
  await writeBeirQrels(join(outDir, "qrels", `${split}.tsv`), qrels);
  let judgments = 0;
  for (const docs of qrels.values()) judgments += docs.size;
  const skipped =
    (judged.stats?.skipped ?? 0) + (docStream.stats?.skipped ?? 0) + (queryStream.stats?.skipped ?? 0);
  return { documents, queries, judgments, skipped };
}
