import { readBeirCorpus, readBeirQueries } from "./beir-jsonl.js";
import { readBeirQrelsWithStats } from "./beir-qrels.js";
import { readCranfieldQrels, readCranfieldQueries } from "./cranfield.js";
import { readGlasgowDocuments } from "./glasgow.js";
import {
  detectCollectionFormat,
  loadBeirDir,
  loadCranfieldDir,
  loadGlasgowDir,
  type CollectionFormat,
} from "./collection-dir.js";
import { openGlasgowCollection } from "./glasgow-collection.js";
import { fileSize } from "./line-reader.js";
import { LengthCollector, countWhitespaceTokens, type LengthStats } from "./length-stats.js";
import type { DocumentRecord, Qrels, QueryRecord, ReadOptions } from "./types.js";

/** Counts and length statistics of a collection directory (BEIR or Cranfield), in one streaming pass per file. */

export interface SplitStats {
  name: string;
  /** Judgment rows (qrels lines). */
  judgments: number;
  /** Distinct queries with at least one judgment. */
  judgedQueries: number;
  /** Rows with label > 0 (relevant at trec_eval's default threshold). */
  relevant: number;
  /** Distinct queries with at least one relevant document. */
  queriesWithRelevant: number;
  /** Judged query ids that are missing from the queries file (should be 0). */
  unknownQueries: number;
  /** Label -> number of rows. */
  labels: Record<string, number>;
}

export interface CollectionStats {
  path: string;
  format: CollectionFormat;
  documents: number;
  queries: number;
  /** Whitespace tokens of title + text per document. */
  documentLength: LengthStats;
  /** Whitespace tokens per query. */
  queryLength: LengthStats;
  splits: SplitStats[];
  /** Total bytes read. */
  bytes: number;
  /** Lines skipped as malformed (lenient mode only). */
  skipped: number;
}

export interface CollectionStatsOptions {
  lenient?: boolean;
  /** Progress over all files together. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

interface Source {
  format: CollectionFormat;
  files: string[];
  documents: (opts: ReadOptions) => AsyncIterable<DocumentRecord> & { stats: { skipped: number } };
  queries: (opts: ReadOptions) => AsyncIterable<QueryRecord> & { stats: { skipped: number } };
  splits: {
    name: string;
    read: (opts: ReadOptions) => Promise<{ qrels: Qrels; stats: { skipped: number } }>;
  }[];
}

async function openSource(dir: string): Promise<Source> {
  const format = await detectCollectionFormat(dir);
  if (format === "beir") {
    const beir = await loadBeirDir(dir);
    return {
      format,
      files: [beir.corpusPath, beir.queriesPath, ...beir.splits.map((s) => beir.qrelsPath(s))],
      documents: (opts) => readBeirCorpus(beir.corpusPath, opts),
      queries: (opts) => readBeirQueries(beir.queriesPath, opts),
      splits: beir.splits.map((name) => ({
        name,
        read: (opts) => readBeirQrelsWithStats(beir.qrelsPath(name), opts),
      })),
    };
  }
  if (format === "glasgow") {
    const glasgow = await openGlasgowCollection(await loadGlasgowDir(dir));
    return {
      format,
      files: [...glasgow.documentsPaths, glasgow.queriesPath, glasgow.qrelsPath],
      documents: (opts) => glasgow.documents(opts),
      queries: (opts) => glasgow.queries(opts),
      splits: [{ name: "all", read: (opts) => glasgow.qrels(opts) }],
    };
  }
  const cran = await loadCranfieldDir(dir);
  return {
    format,
    files: [cran.documentsPath, cran.queriesPath, cran.qrelsPath],
    documents: (opts) => readGlasgowDocuments(cran.documentsPath, opts),
    queries: (opts) => readCranfieldQueries(cran.queriesPath, opts),
    // Cranfield has a single set of judgments; labels are graded (cranfieldGrade), not raw codes.
    splits: [{ name: "all", read: (opts) => readCranfieldQrels(cran.qrelsPath, opts) }],
  };
}

function splitStats(name: string, qrels: Qrels, queryIds: Set<string>): SplitStats {
  const labels = new Map<number, number>();
  let judgments = 0;
  let relevant = 0;
  let queriesWithRelevant = 0;
  let unknownQueries = 0;
  for (const [qid, docs] of qrels) {
    if (!queryIds.has(qid)) unknownQueries++;
    let anyRelevant = false;
    for (const label of docs.values()) {
      judgments++;
      labels.set(label, (labels.get(label) ?? 0) + 1);
      if (label > 0) {
        relevant++;
        anyRelevant = true;
      }
    }
    if (anyRelevant) queriesWithRelevant++;
  }
  const sortedLabels = [...labels.entries()].sort((a, b) => a[0] - b[0]);
  return {
    name,
    judgments,
    judgedQueries: qrels.size,
    relevant,
    queriesWithRelevant,
    unknownQueries,
    labels: Object.fromEntries(sortedLabels.map(([label, n]) => [String(label), n])),
  };
}

export async function collectionStats(
  dir: string,
  opts: CollectionStatsOptions = {},
): Promise<CollectionStats> {
  const source = await openSource(dir);
  const sizes = await Promise.all(source.files.map((f) => fileSize(f)));
  const total = sizes.reduce((a, b) => a + b, 0);
  let done = 0;
  // Each reader reports bytes within its own file; offset them so progress spans all files.
  const readOpts = (): ReadOptions => {
    const offset = done;
    const onProgress = opts.onProgress;
    return {
      lenient: opts.lenient === true,
      onProgress: onProgress === undefined ? undefined : (read) => onProgress(offset + read, total),
    };
  };
  let fileIndex = 0;
  const next = (): void => {
    done += sizes[fileIndex++] ?? 0;
  };

  let skipped = 0;
  const docLengths = new LengthCollector();
  const docs = source.documents(readOpts());
  for await (const doc of docs)
    docLengths.add(countWhitespaceTokens(doc.title) + countWhitespaceTokens(doc.text));
  skipped += docs.stats.skipped;
  next();

  const queryLengths = new LengthCollector();
  const queryIds = new Set<string>();
  const queries = source.queries(readOpts());
  for await (const query of queries) {
    queryIds.add(query.id);
    queryLengths.add(countWhitespaceTokens(query.text));
  }
  skipped += queries.stats.skipped;
  next();

  const splits: SplitStats[] = [];
  for (const split of source.splits) {
    const { qrels, stats } = await split.read(readOpts());
    skipped += stats.skipped;
    splits.push(splitStats(split.name, qrels, queryIds));
    next();
  }
  opts.onProgress?.(total, total);

  const documentLength = docLengths.summary();
  const queryLength = queryLengths.summary();
  return {
    path: dir,
    format: source.format,
    documents: documentLength.count,
    queries: queryLength.count,
    documentLength,
    queryLength,
    splits,
    bytes: total,
    skipped,
  };
}
