import { readFile, readdir } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { InputError, InvalidArgumentError } from "@ferret/errors";
import { readCranfieldQrels } from "./cranfield.js";
import { whitespaceColumns } from "./fields.js";
import { readGlasgowDocuments, readGlasgowQueries } from "./glasgow.js";
import { detectQrelsLayout, glasgowId, readGlasgowQrels, type GlasgowQrelsLayout } from "./glasgow-qrels.js";
import { isBlank, readLineBatches } from "./line-reader.js";
import { readNplDocuments, readNplQrels, readNplQueries } from "./npl.js";
import type { DocumentRecord, Qrels, QueryRecord, ReadOptions, ReadStats, RecordStream } from "./types.js";

/**
 * Any collection in the Glasgow record format (`.I` records with `.T`, `.A`, `.W`, `.X`, ... fields:
 * Cranfield, CACM, CISI, MED, ADI), given its three files, with each one's relevance convention:
 * Cranfield's graded codes and renumbered queries (cranfield.ts), the `qid docid 0 0` pairs of CACM,
 * CISI and ADI, or MED's trec_eval layout (glasgow-qrels.ts). Numeric ids lose leading zeros. NPL's
 * "/"-terminated records and relevance lists are read too (npl.ts), told apart by their first line.
 * (TIME and LISA are distributed in other record formats, `*TEXT`/`*FIND` and `Document n ... ****`;
 * they are not read here.)
 */

export type GlasgowQrelsFormat = "cranfield" | GlasgowQrelsLayout | "npl";
export const GLASGOW_QRELS_FORMATS: readonly GlasgowQrelsFormat[] = ["cranfield", "pairs", "trec", "npl"];
/** ".I" records, or NPL's "/"-terminated numbered records (npl.ts). */
export type GlasgowRecordFormat = "dot" | "npl";
export type GlasgowQueryIds = "record" | "ordinal";

export interface GlasgowCollectionSpec {
  documents: string;
  queries: string;
  qrels: string;
  /** Default: from the relevance file's first line (3 columns: cranfield; 4: pairs or trec). */
  qrelsFormat?: GlasgowQrelsFormat;
  /** "record": the `.I` value; "ordinal": 1..N in file order. Default: ordinal for cranfield, else record. */
  queryIds?: GlasgowQueryIds;
}

export interface GlasgowCollection {
  documentsPath: string;
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

function mapStream<A, B>(source: RecordStream<A>, f: (a: A) => B): RecordStream<B> {
  return {
    get stats() {
      return source.stats;
    },
    async *[Symbol.asyncIterator]() {
      for await (const a of source) yield f(a);
    },
  };
}

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

async function detectQrelsFormat(path: string): Promise<GlasgowQrelsFormat> {
  const { line, number } = await firstLine(path, "relevance judgments");
  const cols = whitespaceColumns(line);
  const format = cols.length === 1 ? "npl" : cols.length === 3 ? "cranfield" : detectQrelsLayout(cols);
  if (format === undefined) {
    throw new InputError(
      { file: path, line: number },
      'not a Glasgow relevance line: "qid docid code" (Cranfield), "qid docid 0 0" (CACM, CISI, ADI), "qid 0 docid relevance" (MED) or a query number (NPL)',
    );
  }
  return format;
}

async function detectRecordFormat(path: string, what: string): Promise<GlasgowRecordFormat> {
  const { line, number } = await firstLine(path, what);
  if (/^\.I(\s|$)/.test(line)) return "dot";
  if (/^\s*\d+\s*$/.test(line)) return "npl";
  throw new InputError(
    { file: path, line: number },
    `expected ".I <id>" (Glasgow records) or a record number (NPL), found "${line.trim()}"`,
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
  const qrelsFormat = spec.qrelsFormat ?? (await detectQrelsFormat(spec.qrels));
  const queryIds = spec.queryIds ?? (qrelsFormat === "cranfield" ? "ordinal" : "record");
  const documentRecords = await detectRecordFormat(spec.documents, "documents");
  const queryRecords = await detectRecordFormat(spec.queries, "queries");
  if (queryRecords === "npl" && queryIds === "ordinal")
    throw new InvalidArgumentError("ordinal query ids are for .I query files; NPL's queries are numbered");
  return {
    documentsPath: spec.documents,
    queriesPath: spec.queries,
    qrelsPath: spec.qrels,
    qrelsFormat,
    queryIds,
    documents: (opts = {}) =>
      documentRecords === "npl"
        ? readNplDocuments(spec.documents, opts)
        : mapStream(readGlasgowDocuments(spec.documents, opts), (d) => ({ ...d, id: glasgowId(d.id) })),
    queries: (opts = {}) =>
      queryRecords === "npl"
        ? readNplQueries(spec.queries, opts)
        : queryIds === "ordinal"
          ? readGlasgowQueries(spec.queries, { ...opts, ids: "ordinal" })
          : mapStream(readGlasgowQueries(spec.queries, opts), (q) => ({ ...q, id: glasgowId(q.id) })),
    qrels: (opts = {}) =>
      qrelsFormat === "cranfield"
        ? readCranfieldQrels(spec.qrels, opts)
        : qrelsFormat === "npl"
          ? readNplQrels(spec.qrels, opts)
          : readGlasgowQrels(spec.qrels, { ...opts, layout: qrelsFormat }),
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
  const file = (key: "documents" | "queries" | "qrels"): string => {
    const v = obj[key];
    if (typeof v !== "string" || v === "")
      throw new InputError({ file: path, field: key }, "expected the file's path (relative to the manifest)");
    return isAbsolute(v) ? v : join(dirname(path), v);
  };
  const spec: GlasgowCollectionSpec = {
    documents: file("documents"),
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

/**
 * The Glasgow files of a directory without a manifest: exactly one each of *.ALL, *.QRY and *.REL
 * (any case), as CISI, MED and ADI ship; undefined when that is not so.
 */
export async function findGlasgowFiles(dir: string): Promise<GlasgowCollectionSpec | undefined> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  const one = (ext: string) => {
    const found = names.filter((n) => n.toUpperCase().endsWith(ext));
    return found.length === 1 ? join(dir, found[0] as string) : undefined;
  };
  const [documents, queries, qrels] = [one(".ALL"), one(".QRY"), one(".REL")];
  return documents && queries && qrels ? { documents, queries, qrels } : undefined;
}
