import { readLineBatches, readLineBatchesFrom, isBlank, type LineBatch } from "./line-reader.js";
import { LineIssues } from "./line-issues.js";
import { recordStream } from "./record-stream.js";
import type { DocumentRecord, QueryRecord, ReadOptions, RecordStream } from "./types.js";

/**
 * BEIR corpus.jsonl and queries.jsonl: one JSON object per line, `{"_id", "title"?, "text",
 * "metadata"?}` (Thakur et al., 2021, "BEIR: A Heterogeneous Benchmark for Zero-shot Evaluation
 * of Information Retrieval Models"). Read lazily, so corpora of any size stream in constant memory.
 * A numeric _id is accepted and turned into its decimal string; a missing title reads as "".
 */

type Fields = Record<string, unknown>;

function parseObject(line: string, lineNo: number, issues: LineIssues): Fields | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    issues.reject(lineNo, undefined, `invalid JSON: ${(err as Error).message}`);
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    issues.reject(lineNo, undefined, "expected a JSON object");
    return undefined;
  }
  return value as Fields;
}

function readId(obj: Fields, lineNo: number, issues: LineIssues): string | undefined {
  const id = obj["_id"];
  if (id === undefined || id === null) {
    issues.reject(lineNo, "_id", "missing");
    return undefined;
  }
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  if (typeof id !== "string" || id.length === 0) {
    issues.reject(lineNo, "_id", "expected a non-empty string");
    return undefined;
  }
  return id;
}

/** A string field; `fallback` (when given) is used if absent. Undefined means the line was rejected. */
function readString(
  obj: Fields,
  field: string,
  lineNo: number,
  issues: LineIssues,
  fallback?: string,
): string | undefined {
  const value = obj[field];
  if ((value === undefined || value === null) && fallback !== undefined) return fallback;
  if (value === undefined) {
    issues.reject(lineNo, field, "missing");
    return undefined;
  }
  if (typeof value !== "string") {
    issues.reject(lineNo, field, `expected a string, found ${value === null ? "null" : typeof value}`);
    return undefined;
  }
  return value;
}

/** Optional metadata object; null → absent. Returns false when the line was rejected. */
function readMetadata(
  obj: Fields,
  lineNo: number,
  issues: LineIssues,
): Record<string, unknown> | undefined | false {
  const value = obj["metadata"];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    issues.reject(lineNo, "metadata", "expected a JSON object");
    return false;
  }
  return value as Record<string, unknown>;
}

function jsonlStream<T>(
  file: string,
  opts: ReadOptions,
  batches: () => AsyncIterable<LineBatch>,
  toRecord: (obj: Fields, lineNo: number, issues: LineIssues) => T | undefined,
): RecordStream<T> {
  return recordStream(async function* (stats) {
    const issues = new LineIssues(file, opts.lenient === true, stats);
    for await (const batch of batches()) {
      const { lines, firstLine } = batch;
      for (let i = 0; i < lines.length; i++) {
        stats.lines++;
        const line = lines[i] as string;
        if (isBlank(line)) continue;
        const lineNo = firstLine + i;
        const obj = parseObject(line, lineNo, issues);
        if (obj === undefined) continue;
        const record = toRecord(obj, lineNo, issues);
        if (record === undefined) continue;
        stats.records++;
        yield record;
      }
    }
  });
}

function corpusRecord(obj: Fields, lineNo: number, issues: LineIssues): DocumentRecord | undefined {
  const id = readId(obj, lineNo, issues);
  if (id === undefined) return undefined;
  const title = readString(obj, "title", lineNo, issues, "");
  if (title === undefined) return undefined;
  const text = readString(obj, "text", lineNo, issues);
  if (text === undefined) return undefined;
  const metadata = readMetadata(obj, lineNo, issues);
  if (metadata === false) return undefined;
  return metadata === undefined ? { id, title, text } : { id, title, text, metadata };
}

/** Streams a BEIR corpus.jsonl. Each iteration re-reads the file; `stats` is final when iteration ends. */
export function readBeirCorpus(path: string, opts: ReadOptions = {}): RecordStream<DocumentRecord> {
  return jsonlStream(path, opts, () => readLineBatches(path, opts.onProgress), corpusRecord);
}

/**
 * Streams BEIR corpus.jsonl rows from bytes that are not a local file (a download): `open` is called once
 * per iteration; `file` names the source in errors ("<file>:<line> (field …)"). onProgress gets total 0.
 */
export function readBeirCorpusFrom(
  open: () => AsyncIterable<Uint8Array>,
  file: string,
  opts: ReadOptions = {},
): RecordStream<DocumentRecord> {
  const onProgress = opts.onProgress;
  return jsonlStream(
    file,
    opts,
    () => readLineBatchesFrom(open(), onProgress === undefined ? undefined : (bytes) => onProgress(bytes, 0)),
    corpusRecord,
  );
}

/** Streams a BEIR queries.jsonl (`_id`, `text`, optional `metadata`). */
export function readBeirQueries(path: string, opts: ReadOptions = {}): RecordStream<QueryRecord> {
  return jsonlStream(
    path,
    opts,
    () => readLineBatches(path, opts.onProgress),
    (obj, lineNo, issues) => {
      const id = readId(obj, lineNo, issues);
      if (id === undefined) return undefined;
      const text = readString(obj, "text", lineNo, issues);
      if (text === undefined) return undefined;
      const metadata = readMetadata(obj, lineNo, issues);
      if (metadata === false) return undefined;
      return metadata === undefined ? { id, text } : { id, text, metadata };
    },
  );
}
