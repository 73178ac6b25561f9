import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { InvalidArgumentError } from "@ferret/errors";
import { writeBeirCorpus, writeBeirQrels, writeBeirQueries } from "./beir-writers.js";
import type { DocumentRecord, Qrels, QueryRecord, ReadOptions } from "./types.js";

/** A collection in any readable format, as streams (e.g. a GlasgowCollection). */
export interface CollectionSource {
  documents(opts?: ReadOptions): AsyncIterable<DocumentRecord>;
  queries(opts?: ReadOptions): AsyncIterable<QueryRecord>;
  qrels(opts?: ReadOptions): Promise<{ qrels: Qrels }>;
}

export interface ConvertedCounts {
  documents: number;
  queries: number;
  judgments: number;
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
  const { qrels } = await source.qrels(read);
  await mkdir(join(outDir, "qrels"), { recursive: true });
  const documents = await writeBeirCorpus(join(outDir, "corpus.jsonl"), source.documents(read));
  const queries = await writeBeirQueries(join(outDir, "queries.jsonl"), source.queries(read));
  await writeBeirQrels(join(outDir, "qrels", `${split}.tsv`), qrels);
  let judgments = 0;
  for (const docs of qrels.values()) judgments += docs.size;
  return { documents, queries, judgments };
}
