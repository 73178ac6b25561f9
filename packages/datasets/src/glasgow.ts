import { readLineBatches, isBlank, unwrapLines } from "./line-reader.js";
import { LineIssues } from "./line-issues.js";
import { recordStream } from "./record-stream.js";
import type { DocumentRecord, QueryRecord, ReadOptions, ReadStats, RecordStream } from "./types.js";

/**
 * The Glasgow (SMART) format used by the classic test collections (Cranfield, CISI, MED, CACM,
 * http://ir.dcs.gla.ac.uk/resources/test_collections/): records start with `.I <id>`; each other
 * field starts with a line holding only its marker (`.T` title, `.A` authors, `.B` bibliography,
 * `.W` text, …) and runs until the next marker. Field lines are joined with single spaces: the
 * line breaks are card-image wrapping, not structure.
 *
 * A marker for a field the record already has does not start a new field: the marker line is
 * dropped and its lines continue the current field. Cranfield needs this: documents 576 and 578
 * carry a second `.W`, and document 240 has `.A` and `.B` lines in the middle of its abstract
 * (which would otherwise overwrite its author and bibliography with abstract text).
 */

export interface GlasgowRecord {
  /** The value after `.I` (as written, e.g. "001"). */
  id: string;
  /** 1-based position of the record in the file. */
  ordinal: number;
  /** 1-based line of the `.I` marker. */
  line: number;
  /** Field letter (e.g. "T", "W") -> text, whitespace-normalised. */
  fields: Map<string, string>;
}

const MARKER = /^\.([A-Z])(?:[ \t]+(.*))?$/;

interface Pending {
  id: string;
  ordinal: number;
  line: number;
  fields: Map<string, string[]>;
}

function finish(p: Pending): GlasgowRecord {
  const fields = new Map<string, string>();
  for (const [k, lines] of p.fields) fields.set(k, unwrapLines(lines));
  return { id: p.id, ordinal: p.ordinal, line: p.line, fields };
}

/** Streams the raw records of a Glasgow-format file. Duplicate `.I` ids are InputErrors. */
export function readGlasgowRecords(path: string, opts: ReadOptions = {}): RecordStream<GlasgowRecord> {
  return recordStream(async function* (stats: ReadStats) {
    const issues = new LineIssues(path, opts.lenient === true, stats);
    const seen = new Set<string>();
    let current: Pending | undefined;
    let field: string[] | undefined;
    let skipping = false; // inside a rejected record (lenient mode)
    let ordinal = 0;
    for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
      for (let i = 0; i < lines.length; i++) {
        stats.lines++;
        const line = lines[i] as string;
        const lineNo = firstLine + i;
        const marker = MARKER.exec(line);
        if (marker?.[1] === "I") {
          if (current !== undefined) {
            stats.records++;
            yield finish(current);
          }
          current = undefined;
          field = undefined;
          skipping = false;
          const id = (marker[2] ?? "").trim();
          if (id === "" || /\s/.test(id)) {
            issues.reject(
              lineNo,
              "I",
              id === "" ? "missing record id after .I" : `invalid record id "${id}"`,
            );
            skipping = true;
            continue;
          }
          if (seen.has(id)) {
            issues.reject(lineNo, "I", `duplicate record id "${id}"`);
            skipping = true;
            continue;
          }
          seen.add(id);
          ordinal++;
          current = { id, ordinal, line: lineNo, fields: new Map() };
          continue;
        }
        if (skipping) continue;
        if (current === undefined) {
          if (isBlank(line)) continue;
          issues.reject(lineNo, undefined, "text before the first .I record marker");
          skipping = true;
          continue;
        }
        if (marker !== null) {
          const letter = marker[1] as string;
          if (!current.fields.has(letter)) {
            field = [];
            current.fields.set(letter, field);
          }
          // else: repeated marker, keep appending to the current field (see module comment).
          if (marker[2] !== undefined && field !== undefined) field.push(marker[2]);
          continue;
        }
        if (field === undefined) {
          if (isBlank(line)) continue;
          issues.reject(lineNo, undefined, `text after .I ${current.id} but before any field marker`);
          continue;
        }
        field.push(line);
      }
    }
    if (current !== undefined) {
      stats.records++;
      yield finish(current);
    }
  });
}

/** Names for the common Glasgow fields in DocumentRecord.metadata; other letters keep their letter. */
const METADATA_NAMES: Record<string, string> = {
  A: "author",
  B: "bibliography",
  K: "keywords",
  N: "entryDate",
  X: "references",
  C: "categories",
};

/** Glasgow documents: id = `.I`, title = `.T`, text = `.W` ("" when absent), other non-empty fields in metadata. */
export function readGlasgowDocuments(path: string, opts: ReadOptions = {}): RecordStream<DocumentRecord> {
  const records = readGlasgowRecords(path, opts);
  return {
    get stats() {
      return records.stats;
    },
    async *[Symbol.asyncIterator]() {
      for await (const r of records) {
        const metadata: Record<string, unknown> = {};
        for (const [letter, value] of r.fields) {
          if (letter === "T" || letter === "W" || value === "") continue;
          metadata[METADATA_NAMES[letter] ?? letter] = value;
        }
        const doc: DocumentRecord = {
          id: r.id,
          title: r.fields.get("T") ?? "",
          text: r.fields.get("W") ?? "",
        };
        if (Object.keys(metadata).length > 0) doc.metadata = metadata;
        yield doc;
      }
    },
  };
}

export interface GlasgowQueryOptions extends ReadOptions {
  /**
   * "original": the id is the `.I` value as written. "ordinal": queries are renumbered 1..N in
   * file order (the `.I` value is kept in metadata.originalId); Cranfield's qrels need this.
   */
  ids?: "original" | "ordinal";
}

/** Glasgow queries: text = `.W` (`.T` when a query has no `.W`). Defaults to the `.I` ids; see readCranfieldQueries for Cranfield. */
export function readGlasgowQueries(path: string, opts: GlasgowQueryOptions = {}): RecordStream<QueryRecord> {
  const records = readGlasgowRecords(path, opts);
  const ordinal = opts.ids === "ordinal";
  return {
    get stats() {
      return records.stats;
    },
    async *[Symbol.asyncIterator]() {
      for await (const r of records) {
        const text = r.fields.get("W") ?? r.fields.get("T") ?? "";
        yield ordinal ? { id: String(r.ordinal), text, metadata: { originalId: r.id } } : { id: r.id, text };
      }
    },
  };
}
