import { InputError } from "@ferret/errors";
import { whitespaceColumns } from "./fields.js";
import { glasgowId } from "./glasgow-qrels.js";
import { LineIssues, newStats } from "./line-issues.js";
import { isBlank, readLineBatches, unwrapLines } from "./line-reader.js";
import { mapRecords, recordStream } from "./record-stream.js";
import type { DocumentRecord, Qrels, QueryRecord, ReadOptions, ReadStats, RecordStream } from "./types.js";

/**
 * TIME (the Glasgow distribution's TIME.ALL, TIME.QUE and TIME.REL: 423 Time Magazine articles of 1963):
 *
 * - TIME.ALL: each article starts with a header line `*TEXT 017 01/04/63 PAGE 020` (text number, issue
 *   date, page) and runs to the next header; a `*STOP` line ends the file.
 * - TIME.QUE: each query starts with `*FIND <n>`, n being its id; `*STOP` ends the file.
 * - TIME.REL: one line per query, `qid docid docid ...`, blank lines between.
 *
 * TIME.REL's document ids are the articles' positions in TIME.ALL (1..423), not their text numbers
 * (which start at 017 and skip): its first query judges document 1, and there is no `*TEXT 001`. So the
 * documents are numbered by position, and keep their text number, date and page in metadata.
 */

interface StarRecord {
  /** The value after the marker ("017" for `*TEXT 017 ...`, "46" for `*FIND 46`). */
  number: string;
  /** What follows the number on the header line. */
  rest: string;
  /** 1-based position in the file. */
  ordinal: number;
  lines: string[];
}

const STAR_MARKER = /^\*(TEXT|FIND|STOP)(?=\s|$)/;
const HEADER = /^\*(?:TEXT|FIND)\s+(\d+)(?:\s+(.*))?$/;

/** Records opened by `*<marker> <n>` lines and ended by `*STOP`; the other marker is an InputError. */
function readStarRecords(path: string, marker: "TEXT" | "FIND", opts: ReadOptions): RecordStream<StarRecord> {
  return recordStream(async function* (stats: ReadStats) {
    const issues = new LineIssues(path, opts.lenient === true, stats);
    const seen = new Set<string>();
    let current: StarRecord | undefined;
    let skipping = false; // inside a rejected record (lenient mode)
    let stopped = false;
    let ordinal = 0;
    for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
      for (let i = 0; i < lines.length; i++) {
        stats.lines++;
        const line = lines[i] as string;
        const lineNo = firstLine + i;
        if (stopped) {
          if (!isBlank(line)) issues.reject(lineNo, undefined, "text after *STOP");
          continue;
        }
        const found = STAR_MARKER.exec(line.trimEnd())?.[1];
        if (found === undefined) {
          if (current !== undefined) current.lines.push(line);
          else if (!skipping && !isBlank(line))
            issues.reject(lineNo, undefined, `text before the first *${marker} record`);
          continue;
        }
        if (current !== undefined) {
          stats.records++;
          yield current;
          current = undefined;
        }
        skipping = false;
        if (found === "STOP") {
          stopped = true;
          continue;
        }
        skipping = true;
        if (found !== marker) {
          issues.reject(lineNo, found, `a *${found} line in a file of *${marker} records`);
          continue;
        }
        const header = HEADER.exec(line.trim());
        if (header === null) {
          issues.reject(lineNo, marker, `expected "*${marker} <number>", found "${line.trim()}"`);
          continue;
        }
        const number = header[1] as string;
        if (seen.has(glasgowId(number))) {
          issues.reject(lineNo, marker, `duplicate record number ${number}`);
          continue;
        }
        seen.add(glasgowId(number));
        skipping = false;
        current = { number, rest: header[2] ?? "", ordinal: ++ordinal, lines: [] };
      }
    }
    if (current !== undefined) {
      stats.records++;
      yield current;
    }
  });
}

const DATELINE = /^(.*?)\s+PAGE\s+(\S+)$/;

/** TIME.ALL: id = position in the file (as TIME.REL counts), metadata = text number, date and page. */
export function readTimeDocuments(path: string, opts: ReadOptions = {}): RecordStream<DocumentRecord> {
  return mapRecords(readStarRecords(path, "TEXT", opts), (r) => {
    const dateline = DATELINE.exec(r.rest);
    const metadata: Record<string, unknown> = { textNumber: r.number };
    if (dateline !== null) {
      metadata["date"] = dateline[1];
      metadata["page"] = dateline[2];
    } else if (r.rest !== "") metadata["header"] = r.rest;
    return { id: String(r.ordinal), title: "", text: unwrapLines(r.lines), metadata };
  });
}

/** TIME.QUE: id = the `*FIND` number (without leading zeros). */
export function readTimeQueries(path: string, opts: ReadOptions = {}): RecordStream<QueryRecord> {
  return mapRecords(readStarRecords(path, "FIND", opts), (r) => ({
    id: glasgowId(r.number),
    text: unwrapLines(r.lines),
  }));
}

/**
 * TIME.REL: `qid docid docid ...` per line; every listed document is relevant (1). A token that is not
 * a number, a query listed twice or a document listed twice for a query is an InputError.
 */
export async function readTimeQrels(
  path: string,
  opts: ReadOptions = {},
): Promise<{ qrels: Qrels; stats: ReadStats }> {
  const stats = newStats();
  const issues = new LineIssues(path, opts.lenient === true, stats);
  const qrels: Qrels = new Map();
  for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
    for (let i = 0; i < lines.length; i++) {
      stats.lines++;
      const line = lines[i] as string;
      if (isBlank(line)) continue;
      const lineNo = firstLine + i;
      const [qid, ...docids] = whitespaceColumns(line) as [string, ...string[]];
      if (!/^\d+$/.test(qid)) {
        issues.reject(lineNo, "qid", `not a query number: "${qid}"`);
        continue;
      }
      const bad = docids.find((d) => !/^\d+$/.test(d));
      if (bad !== undefined) {
        issues.reject(lineNo, "docid", `not a document number: "${bad}"`);
        continue;
      }
      const query = glasgowId(qid);
      if (qrels.has(query)) {
        issues.reject(lineNo, "qid", `query ${qid} is listed twice`);
        continue;
      }
      const docs = new Map<string, number>();
      let twice: string | undefined;
      for (const d of docids) {
        if (docs.has(glasgowId(d))) twice ??= d;
        docs.set(glasgowId(d), 1);
      }
      if (twice !== undefined) {
        issues.reject(lineNo, "docid", `document ${twice} is listed twice for query ${qid}`);
        continue;
      }
      qrels.set(query, docs);
      stats.records += docs.size;
    }
  }
  if (qrels.size === 0 && stats.skipped === 0) throw new InputError({ file: path }, "no relevance judgments");
  return { qrels, stats };
}
