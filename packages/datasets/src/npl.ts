import { glasgowId } from "./glasgow-qrels.js";
import { LineIssues } from "./line-issues.js";
import { isBlank, readLineBatches, unwrapLines } from "./line-reader.js";
import { mapRecords, recordStream } from "./record-stream.js";
import type { DocumentRecord, Qrels, QueryRecord, ReadOptions, ReadStats, RecordStream } from "./types.js";

/**
 * NPL (Vaswani; the Glasgow distribution's doc-text, query-text and rlv-ass): records end with a line
 * holding only "/" (indented "   /" in doc-text and rlv-ass); a record's first line is its number, the
 * rest its text, or in rlv-ass the relevant document numbers, whitespace separated over any lines.
 */

interface SlashRecord {
  id: string;
  line: number;
  lines: string[];
}

const NUMBER = /^\s*(\d+)\s*$/;

function readSlashRecords(path: string, opts: ReadOptions): RecordStream<SlashRecord> {
  return recordStream(async function* (stats: ReadStats) {
    const issues = new LineIssues(path, opts.lenient === true, stats);
    const seen = new Set<string>();
    let current: SlashRecord | undefined;
    let skipping = false;
    for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
      for (let i = 0; i < lines.length; i++) {
        stats.lines++;
        const line = lines[i] as string;
        const lineNo = firstLine + i;
        if (line.trim() === "/") {
          if (current !== undefined) {
            stats.records++;
            yield current;
          }
          current = undefined;
          skipping = false;
          continue;
        }
        if (skipping) continue;
        if (current === undefined) {
          if (isBlank(line)) continue;
          const id = NUMBER.exec(line)?.[1];
          if (id === undefined) {
            issues.reject(lineNo, "id", `expected a record number, found "${line.trim()}"`);
            skipping = true;
            continue;
          }
          const canonical = glasgowId(id);
          if (seen.has(canonical)) {
            issues.reject(lineNo, "id", `duplicate record number ${id}`);
            skipping = true;
            continue;
          }
          seen.add(canonical);
          current = { id: canonical, line: lineNo, lines: [] };
          continue;
        }
        current.lines.push(line);
      }
    }
    if (current !== undefined) {
      stats.records++;
      yield current;
    }
  });
}

export function readNplDocuments(path: string, opts: ReadOptions = {}): RecordStream<DocumentRecord> {
  return mapRecords(readSlashRecords(path, opts), (r) => ({
    id: r.id,
    title: "",
    text: unwrapLines(r.lines),
  }));
}

export function readNplQueries(path: string, opts: ReadOptions = {}): RecordStream<QueryRecord> {
  return mapRecords(readSlashRecords(path, opts), (r) => ({ id: r.id, text: unwrapLines(r.lines) }));
}

/** rlv-ass: every listed document is relevant (1). A non-numeric document number is an InputError. */
export async function readNplQrels(
  path: string,
  opts: ReadOptions = {},
): Promise<{ qrels: Qrels; stats: ReadStats }> {
  const records = readSlashRecords(path, opts);
  const qrels: Qrels = new Map();
  for await (const r of records) {
    const docs = new Map<string, number>();
    r.lines.forEach((line, i) => {
      for (const doc of line.trim() === "" ? [] : line.trim().split(/\s+/)) {
        // records.stats is the current pass's (the stream renews it when iteration starts).
        if (!/^\d+$/.test(doc))
          new LineIssues(path, opts.lenient === true, records.stats).reject(
            r.line + 1 + i,
            "docid",
            `not a document number: "${doc}"`,
          );
        else docs.set(glasgowId(doc), 1);
      }
    });
    qrels.set(r.id, docs);
  }
  return { qrels, stats: records.stats };
}
