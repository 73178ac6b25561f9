import { readFile, readdir } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { InputError, InvalidArgumentError } from "@ferret/errors";
import { readCranfieldQrels } from "./cranfield.js";
import { whitespaceColumns } from "./fields.js";
import { readGlasgowDocuments, readGlasgowQueries } from "./glasgow.js";
import { detectQrelsLayout, glasgowId, readGlasgowQrels, type GlasgowQrelsLayout } from "./glasgow-qrels.js";
import { isBlank, readLineBatches } from "./line-reader.js";
import { readLisaDocuments, readLisaNumQrels, readLisaQrels, readLisaQueries } from "./lisa.js";
import { readNplDocuments, readNplQrels, readNplQueries } from "./npl.js";
import { readTimeDocuments, readTimeQrels, readTimeQueries } from "./time.js";
import { mapRecords } from "./record-stream.js";
import type { DocumentRecord, Qrels, QueryRecord, ReadOptions, ReadStats, RecordStream } from "./types.js";

/**
 * Any collection in the Glasgow record format (`.I` records with `.T`, `.A`, `.W`, `.X`, ... fields:
 * Cranfield, CACM, CISI, MED, ADI), given its three files, with each one's relevance convention:
 * Cranfield's graded codes and renumbered queries (cranfield.ts), the `qid docid 0 0` pairs of CACM,
 * CISI and ADI, or MED's trec_eval layout (glasgow-qrels.ts). Numeric ids lose leading zeros. NPL's
 * "/"-terminated records and relevance lists (npl.ts), TIME's `*TEXT`/`*FIND` records and
 * `qid docid ...` lines (time.ts) and LISA's `Document n` records over several files, `#`-ended queries
 * and `Query n` / `LISARJ.NUM` judgments (lisa.ts) are read too, told apart by their first lines.
 */

export type GlasgowQrelsFormat = "cranfield" | GlasgowQrelsLayout | "npl" | "time" | "lisa" | "lisa-num";
export const GLASGOW_QRELS_FORMATS: readonly GlasgowQrelsFormat[] = [
  "cranfield",
  "pairs",
  "trec",
  "npl",
  "time",
  "lisa",
  "lisa-num",
];
/** ".I" records, NPL's "/"-terminated numbered records, TIME's `*TEXT`/`*FIND` or LISA's `Document n` records. */
export type GlasgowRecordFormat = "dot" | "npl" | "time" | "lisa";
export type GlasgowQueryIds = "record" | "ordinal";

export interface GlasgowCollectionSpec {
  /** One file, or LISA's several document files (read in the order given). */
  documents: string | readonly string[];
  queries: string;
  qrels: string;
  /**
   * Default: from the relevance file's first line (3 columns: cranfield; 4: pairs or trec; one number:
   * npl; `Query n`: lisa), or time / lisa-num when the documents are TIME's or LISA's.
   */
  qrelsFormat?: GlasgowQrelsFormat;
  /** "record": the `.I` value; "ordinal": 1..N in file order. Default: ordinal for cranfield, else record. */
  queryIds?: GlasgowQueryIds;
}

export interface GlasgowCollection {
  documentsPaths: string[];
  queriesPath: string;
  qrelsPath: string;
  qrelsFormat: GlasgowQrelsFormat;
  queryIds: GlasgowQueryIds;
  documents(opts?: ReadOptions): RecordStream<DocumentRecord>;
  queries(opts?: ReadOptions): RecordStream<QueryRecord>;
  /** Graded for cranfield (raw codes in CranfieldQrelsResult), 1 per listed pair, or as written (trec). */
  qrels(opts?: ReadOptions): Promise<{ qrels: Qrels; stats: ReadStats }>;
}

/** The manifest a directory may hold to say which of its files are which (paths relative to it). */
export const GLASGOW_MANIFEST = "glasgow.json";

/** The first non-blank line of a file and its number. */
async function firstLine(path: string, what: string): Promise<{ line: string; number: number }> {
  for await (const { lines, firstLine: first } of readLineBatches(path)) {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (!isBlank(line)) return { line, number: first + i };
    }
  }
  throw new InputError({ file: path }, `no ${what}`);
}

async function detectQrelsFormat(path: string, documents: GlasgowRecordFormat): Promise<GlasgowQrelsFormat> {
  const { line, number } = await firstLine(path, "relevance judgments");
  if (/^Query\s+\d+\s*$/.test(line.trim())) return "lisa";
  if (documents === "lisa") return "lisa-num";
  if (documents === "time") return "time";
  const cols = whitespaceColumns(line);
  const format = cols.length === 1 ? "npl" : cols.length === 3 ? "cranfield" : detectQrelsLayout(cols);
  if (format === undefined) {
    throw new InputError(
      { file: path, line: number },
      'not a Glasgow relevance line: "qid docid code" (Cranfield), "qid docid 0 0" (CACM, CISI, ADI), "qid 0 docid relevance" (MED), a query number (NPL) or "Query n" (LISA)',
    );
  }
  return format;
}

/**
 * The record format a file's first line shows. A bare number opens both NPL's and LISA's queries, so
 * for queries the documents' format decides between them.
 */
async function detectRecordFormat(
  path: string,
  what: "documents" | "queries",
  documents?: GlasgowRecordFormat,
): Promise<GlasgowRecordFormat> {
  const { line, number } = await firstLine(path, what);
  if (/^\.I(\s|$)/.test(line)) return "dot";
  if (/^\*(TEXT|FIND)(\s|$)/.test(line)) return "time";
  if (what === "documents" && /^Document\s+\d+\s*$/.test(line.trim())) return "lisa";
  if (/^\s*\d+\s*$/.test(line)) return documents === "lisa" ? "lisa" : "npl";
  throw new InputError(
    { file: path, line: number },
    `expected ".I <id>" (Glasgow records), a record number (NPL, LISA queries), "*TEXT n" or "*FIND n" (TIME) or "Document n" (LISA), found "${line.trim()}"`,
  );
}

export async function openGlasgowCollection(spec: GlasgowCollectionSpec): Promise<GlasgowCollection> {
  if (spec.qrelsFormat !== undefined && !GLASGOW_QRELS_FORMATS.includes(spec.qrelsFormat)) {
    throw new InvalidArgumentError(
      `qrels format must be one of ${GLASGOW_QRELS_FORMATS.join(", ")}, got "${String(spec.qrelsFormat)}"`,
    );
  }
  if (spec.queryIds !== undefined && spec.queryIds !== "record" && spec.queryIds !== "ordinal") {
    throw new InvalidArgumentError(`query ids must be record or ordinal, got "${String(spec.queryIds)}"`);
  }
  const documentsPaths = typeof spec.documents === "string" ? [spec.documents] : [...spec.documents];
  const firstDocuments = documentsPaths[0];
  if (firstDocuments === undefined) throw new InvalidArgumentError("no documents file given");
  const documentRecords = await detectRecordFormat(firstDocuments, "documents");
  if (documentsPaths.length > 1 && documentRecords !== "lisa")
    throw new InvalidArgumentError(
      `several documents files are read for LISA's "Document n" records only; ${firstDocuments} is not one`,
    );
  const queryRecords = await detectRecordFormat(spec.queries, "queries", documentRecords);
  const qrelsFormat = spec.qrelsFormat ?? (await detectQrelsFormat(spec.qrels, documentRecords));
  const queryIds = spec.queryIds ?? (qrelsFormat === "cranfield" ? "ordinal" : "record");
  if (queryRecords !== "dot" && queryIds === "ordinal")
    throw new InvalidArgumentError(
      "ordinal query ids are for .I query files; NPL's, TIME's and LISA's queries are numbered",
    );
  const documents = (opts: ReadOptions): RecordStream<DocumentRecord> => {
    switch (documentRecords) {
      case "npl":
        return readNplDocuments(firstDocuments, opts);
      case "time":
        return readTimeDocuments(firstDocuments, opts);
      case "lisa":
        return readLisaDocuments(documentsPaths, opts);
      case "dot":
        return mapRecords(readGlasgowDocuments(firstDocuments, opts), (d) => ({ ...d, id: glasgowId(d.id) }));
    }
  };
  const queries = (opts: ReadOptions): RecordStream<QueryRecord> => {
    switch (queryRecords) {
      case "npl":
        return readNplQueries(spec.queries, opts);
      case "time":
        return readTimeQueries(spec.queries, opts);
      case "lisa":
        return readLisaQueries(spec.queries, opts);
      case "dot":
        return queryIds === "ordinal"
          ? readGlasgowQueries(spec.queries, { ...opts, ids: "ordinal" })
          : mapRecords(readGlasgowQueries(spec.queries, opts), (q) => ({ ...q, id: glasgowId(q.id) }));
    }
  };
  const qrels = (opts: ReadOptions): Promise<{ qrels: Qrels; stats: ReadStats }> => {
    switch (qrelsFormat) {
      case "cranfield":
        return readCranfieldQrels(spec.qrels, opts);
      case "npl":
        return readNplQrels(spec.qrels, opts);
      case "time":
        return readTimeQrels(spec.qrels, opts);
      case "lisa":
        return readLisaQrels(spec.qrels, opts);
      case "lisa-num":
        return readLisaNumQrels(spec.qrels, opts);
      default:
        return readGlasgowQrels(spec.qrels, { ...opts, layout: qrelsFormat });
    }
  };
  return {
    documentsPaths,
    queriesPath: spec.queries,
    qrelsPath: spec.qrels,
    qrelsFormat,
    queryIds,
    documents: (opts = {}) => documents(opts),
    queries: (opts = {}) => queries(opts),
    qrels: (opts = {}) => qrels(opts),
  };
}

/** Reads `<dir>/glasgow.json`; a missing or wrong field is an InputError naming it. */
export async function readGlasgowManifest(dir: string): Promise<GlasgowCollectionSpec> {
  const path = join(dir, GLASGOW_MANIFEST);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (err) {
    throw new InputError({ file: path }, `not readable JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InputError({ file: path }, "expected a JSON object");
  const obj = value as Record<string, unknown>;
  const known = new Set(["documents", "queries", "qrels", "qrelsFormat", "queryIds"]);
  for (const key of Object.keys(obj))
    if (!known.has(key)) throw new InputError({ file: path, field: key }, "unknown field");
  const resolved = (v: string) => (isAbsolute(v) ? v : join(dirname(path), v));
  const file = (key: "documents" | "queries" | "qrels"): string => {
    const v = obj[key];
    if (typeof v !== "string" || v === "")
      throw new InputError({ file: path, field: key }, "expected the file's path (relative to the manifest)");
    return resolved(v);
  };
  // LISA's documents come in several files: a list of paths, read in its order.
  const documents = Array.isArray(obj["documents"])
    ? obj["documents"].map((v: unknown, i) => {
        if (typeof v !== "string" || v === "")
          throw new InputError({ file: path, field: `documents[${i}]` }, "expected a file's path");
        return resolved(v);
      })
    : file("documents");
  if (Array.isArray(documents) && documents.length === 0)
    throw new InputError({ file: path, field: "documents" }, "expected at least one file");
  const spec: GlasgowCollectionSpec = {
    documents,
    queries: file("queries"),
    qrels: file("qrels"),
  };
  if (obj["qrelsFormat"] !== undefined) {
    if (!GLASGOW_QRELS_FORMATS.includes(obj["qrelsFormat"] as GlasgowQrelsFormat))
      throw new InputError(
        { file: path, field: "qrelsFormat" },
        `expected one of ${GLASGOW_QRELS_FORMATS.join(", ")}`,
      );
    spec.qrelsFormat = obj["qrelsFormat"] as GlasgowQrelsFormat;
  }
  if (obj["queryIds"] !== undefined) {
    if (obj["queryIds"] !== "record" && obj["queryIds"] !== "ordinal")
      throw new InputError({ file: path, field: "queryIds" }, "expected record or ordinal");
    spec.queryIds = obj["queryIds"];
  }
  return spec;
}

/** LISA's document files: LISA0.001, LISA0.501, ..., LISA5.850. */
const LISA_DOCUMENT_FILE = /^LISA\d+\.\d+$/i;

/**
 * The Glasgow files of a directory without a manifest (names in any case), undefined when they are not
 * there: exactly one *.ALL (or else LISA's LISA<n>.<nnn> document files, in name order), one *.QRY or
 * *.QUE (TIME, LISA), and one *.REL (for LISA, one *.NUM, LISARJ.NUM, when there is one), as CISI, MED,
 * ADI, TIME and LISA ship.
 */
export async function findGlasgowFiles(dir: string): Promise<GlasgowCollectionSpec | undefined> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => e.name)
    .sort();
  const one = (...exts: string[]) => {
    const found = names.filter((n) => exts.some((ext) => n.toUpperCase().endsWith(ext)));
    return found.length === 1 ? join(dir, found[0] as string) : undefined;
  };
  const lisa = names.filter((n) => LISA_DOCUMENT_FILE.test(n)).map((n) => join(dir, n));
  const all = one(".ALL");
  const documents = all ?? (lisa.length > 0 ? lisa : undefined);
  // LISA: LISARJ.NUM first. The distributed LISA.REL is damaged (query 21's list runs into query 34's;
  // 22 to 33 are missing), while LISARJ.NUM judges all 35 queries.
  const qrels = all === undefined ? (one(".NUM") ?? one(".REL")) : one(".REL");
  const queries = one(".QRY", ".QUE");
  return documents && queries && qrels ? { documents, queries, qrels } : undefined;
}
