import { open } from "node:fs/promises";
import { constants } from "node:buffer";
import { InvalidArgumentError } from "@ferret/errors";
import { fileSize } from "./line-reader.js";
import { LineIssues, newStats } from "./line-issues.js";
import type { ReadOptions, ReadStats, Run } from "./types.js";

/**
 * A TREC run (`qid Q0 docid rank score tag` per line, trec_eval's format) parsed straight from its bytes into
 * columns: one entry per retrieved document, grouped by query. Document ids stay as byte ranges of the file
 * (no string per line); each query id is decoded once. This is what makes reading a multi-million-line run
 * cheap (bench/eval); readTrecRun builds the qid -> docid -> score Map from it for callers that want one.
 *
 * Rules, as trec_eval 10.0 reads runs (get_trec_results.c): columns are separated by runs of ASCII whitespace;
 * blank lines and comment lines (first non-blank character '#') are skipped; the rank column is ignored; the
 * score is a decimal number, kept as a double. Unlike trec_eval, a line needs exactly 6 columns, a score
 * must be a whole number ("1.5x" is an error, not 1.5), and a duplicate (qid, docid) is reported with its line.
 */
export interface TrecRunColumns {
  /** The file's bytes; docStart/docEnd index into it. */
  readonly bytes: Uint8Array;
  /** Query ids in order of first appearance. */
  readonly qids: readonly string[];
  /** Query i's entries are [queryStart[i], queryStart[i + 1]), in file order. */
  readonly queryStart: Int32Array;
  /** Per entry: the docid's byte range in `bytes`, its hash (hashBytes) and the score. */
  readonly docStart: Uint32Array;
  readonly docEnd: Uint32Array;
  readonly docHash: Int32Array;
  readonly scores: Float64Array;
}

export interface TrecRunColumnsResult {
  columns: TrecRunColumns;
  stats: ReadStats;
  /** The run tag (6th column) of the first entry; undefined for an empty run. */
  name?: string;
}

/** FNV-1a over bytes[start, end): the hash docHash holds (for lookups keyed by docid bytes). */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 16777619);
  return h;
}

/** bytes[a, aEnd) vs bytes[b, bEnd) in strcmp order (unsigned bytes; UTF-8 byte order is code point order). */
export function compareByteRanges(
  bytes: Uint8Array,
  a: number,
  aEnd: number,
  b: number,
  bEnd: number,
): number {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const d = (bytes[a + i] as number) - (bytes[b + i] as number);
    if (d !== 0) return d;
  }
  return aEnd - a - (bEnd - b);
}

const decoder = new TextDecoder("utf-8");

function decode(bytes: Uint8Array, start: number, end: number): string {
  return decoder.decode(bytes.subarray(start, end));
}

/** 1 for the bytes C's isspace() accepts (the separators trec_eval's readers skip). */
const SPACE = new Uint8Array(256);
for (const c of [9, 10, 11, 12, 13, 32]) SPACE[c] = 1;

/** The index of the newline ending the line at p (or the end of bytes). */
function lineEnd(bytes: Uint8Array, p: number): number {
  const i = bytes.indexOf(10, p);
  return i < 0 ? bytes.length : i;
}

/** 10^k for k in [0, 22]: exact doubles (the fast decimal path below relies on that). */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const BAD_SCORE = Number.NaN;

/**
 * The score in bytes[start, end): a decimal (`[+-]digits[.digits][e[+-]digits]`, or `.digits`), NaN when it is
 * not one or not finite. Up to 15 significant digits without exponent, the integer mantissa divided by an exact
 * power of ten is the correctly rounded double (one IEEE division of exact operands), so it equals Number();
 * longer or exponent forms go through Number() on the text.
 */
function parseScore(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const first = bytes[i] as number;
  const negative = first === 45;
  if (first === 45 || first === 43) i++;
  let mantissa = 0;
  let allDigits = 0;
  let significant = 0;
  let fraction = 0;
  let seenDot = false;
  for (; i < end; i++) {
    const c = bytes[i] as number;
    if (c >= 48 && c <= 57) {
      allDigits++;
      if (significant > 0 || c !== 48) significant++;
      mantissa = mantissa * 10 + (c - 48);
      if (seenDot) fraction++;
    } else if (c === 46 && !seenDot) {
      seenDot = true;
    } else {
      return slowScore(bytes, start, end);
    }
  }
  if (allDigits > 0 && significant <= 15 && fraction <= 22) {
    const v = mantissa / (POW10[fraction] as number);
    return negative ? -v : v;
  }
  return slowScore(bytes, start, end);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function slowScore(bytes: Uint8Array, start: number, end: number): number {
  const text = decode(bytes, start, end);
  if (!DECIMAL.test(text)) return BAD_SCORE;
  const v = Number(text);
  return Number.isFinite(v) ? v : BAD_SCORE;
}

/** Growable column storage while scanning. */
class Entries {
  size = 0;
  qidx: Int32Array;
  line: Int32Array;
  docStart: Uint32Array;
  docEnd: Uint32Array;
  docHash: Int32Array;
  scores: Float64Array;

  constructor(capacity: number) {
    const c = Math.max(64, capacity);
    this.qidx = new Int32Array(c);
    this.line = new Int32Array(c);
    this.docStart = new Uint32Array(c);
    this.docEnd = new Uint32Array(c);
    this.docHash = new Int32Array(c);
    this.scores = new Float64Array(c);
  }

  grow(): void {
    const c = Math.ceil(this.qidx.length * 1.5);
    const g = <T extends Int32Array | Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const next = make(c);
      next.set(a);
      return next;
    };
    this.qidx = g(this.qidx, (n) => new Int32Array(n));
    this.line = g(this.line, (n) => new Int32Array(n));
    this.docStart = g(this.docStart, (n) => new Uint32Array(n));
    this.docEnd = g(this.docEnd, (n) => new Uint32Array(n));
    this.docHash = g(this.docHash, (n) => new Int32Array(n));
    this.scores = g(this.scores, (n) => new Float64Array(n));
  }
}

/** Parses a run held in memory (a file's bytes, or text sent inline). Errors name `opts.file` and the line. */
export function parseTrecRunColumns(
  input: Uint8Array | string,
  opts: { file: string; lenient?: boolean },
): TrecRunColumnsResult {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const stats = newStats();
  const issues = new LineIssues(opts.file, opts.lenient === true, stats);
  const n = bytes.length;
  const entries = new Entries(Math.ceil(n / 32));
  const qids: string[] = [];
  const qidIndex = new Map<string, number>();
  let name: string | undefined;
  let grouped = true;
  let prevQs = -1;
  let prevQe = -1;
  let prevQ = -1;
  let lineNo = 0;
  // A UTF-8 byte order mark is not part of the first query id.
  let pos = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // Byte ranges of the columns kept (qid, docid, score, tag) of the current line.
  let qs = 0;
  let qe = 0;
  let ds = 0;
  let de = 0;
  let ss = 0;
  let se = 0;
  let ts = 0;
  let te = 0;

  while (pos < n) {
    lineNo++;
    // Columns of this line (up to 7 counted, enough to tell "too many").
    let count = 0;
    let p = pos;
    for (;;) {
      let c = 0;
      while (p < n && (c = bytes[p] as number) !== 10 && SPACE[c] === 1) p++;
      if (p >= n || c === 10) break;
      if (count === 0 && c === 35) {
        count = -1; // comment line
        p = lineEnd(bytes, p);
        break;
      }
      const start = p;
      while (p < n && SPACE[bytes[p] as number] === 0) p++;
      switch (count) {
        case 0:
          qs = start;
          qe = p;
          break;
        case 2:
          ds = start;
          de = p;
          break;
        case 4:
          ss = start;
          se = p;
          break;
        case 5:
          ts = start;
          te = p;
          break;
      }
      if (++count > 6) {
        p = lineEnd(bytes, p);
        break;
      }
    }
    pos = p + 1; // past the newline
    stats.lines++;
    if (count <= 0) continue;
    if (count !== 6) {
      issues.reject(
        lineNo,
        undefined,
        `expected 6 columns (qid Q0 docid rank score tag), found ${count > 6 ? "more than 6" : String(count)}`,
      );
      continue;
    }
    const score = parseScore(bytes, ss, se);
    if (Number.isNaN(score)) {
      issues.reject(lineNo, "score", `not a number: "${decode(bytes, ss, se)}"`);
      continue;
    }
    // The query: the previous line's unless its bytes differ (runs are grouped by query, so this is the
    // common case and costs one short byte comparison).
    let q = prevQ;
    if (prevQ < 0 || compareByteRanges(bytes, qs, qe, prevQs, prevQe) !== 0) {
      const qid = decode(bytes, qs, qe);
      const known = qidIndex.get(qid);
      if (known === undefined) {
        q = qids.length;
        qids.push(qid);
        qidIndex.set(qid, q);
      } else {
        q = known;
        grouped = false;
      }
      prevQ = q;
      prevQs = qs;
      prevQe = qe;
    }
    if (entries.size === entries.qidx.length) entries.grow();
    const k = entries.size++;
    entries.qidx[k] = q;
    entries.line[k] = lineNo;
    entries.docStart[k] = ds;
    entries.docEnd[k] = de;
    entries.docHash[k] = hashBytes(bytes, ds, de);
    entries.scores[k] = score;
    name ??= decode(bytes, ts, te);
  }

  const order = grouped ? undefined : groupByQuery(entries, qids.length);
  const queryStart = queryOffsets(entries, order, qids.length);
  const drop = removeDuplicates(bytes, entries, order, queryStart, qids, issues);
  const columns =
    order === undefined && drop === undefined
      ? {
          // Already grouped, nothing dropped: the scan's arrays are the columns (views, no copy).
          bytes,
          qids,
          queryStart,
          docStart: entries.docStart.subarray(0, entries.size),
          docEnd: entries.docEnd.subarray(0, entries.size),
          docHash: entries.docHash.subarray(0, entries.size),
          scores: entries.scores.subarray(0, entries.size),
        }
      : pack(bytes, entries, order, drop, qids);
  stats.records = columns.docStart.length;
  return name === undefined ? { columns, stats } : { columns, stats, name };
}

/** a[i]++, returning the old value. */
function bump(a: Int32Array, i: number): number {
  const v = a[i] as number;
  a[i] = v + 1;
  return v;
}

/** A stable order of the entries by query (counting sort), for runs whose queries are not contiguous. */
function groupByQuery(entries: Entries, numQueries: number): Int32Array {
  const counts = new Int32Array(numQueries + 1);
  for (let k = 0; k < entries.size; k++) bump(counts, (entries.qidx[k] as number) + 1);
  for (let q = 0; q < numQueries; q++) counts[q + 1] = (counts[q + 1] as number) + (counts[q] as number);
  const order = new Int32Array(entries.size);
  for (let k = 0; k < entries.size; k++) order[bump(counts, entries.qidx[k] as number)] = k;
  return order;
}

function queryOffsets(entries: Entries, order: Int32Array | undefined, numQueries: number): Int32Array {
  const start = new Int32Array(numQueries + 1);
  for (let i = 0; i < entries.size; i++) {
    const k = order === undefined ? i : (order[i] as number);
    bump(start, (entries.qidx[k] as number) + 1);
  }
  for (let q = 0; q < numQueries; q++) start[q + 1] = (start[q + 1] as number) + (start[q] as number);
  return start;
}

/**
 * Finds a document listed twice for one query (hash table per query, reused). Strict mode reports the
 * earliest repeated line; lenient mode keeps the first occurrence. Returns the positions (in grouped order)
 * to keep, or undefined when there is no duplicate.
 */
function removeDuplicates(
  bytes: Uint8Array,
  entries: Entries,
  order: Int32Array | undefined,
  queryStart: Int32Array,
  qids: readonly string[],
  issues: LineIssues,
): Uint8Array | undefined {
  let table = new Int32Array(64);
  let drop: Uint8Array | undefined;
  let firstLine = Number.MAX_SAFE_INTEGER;
  let firstMessage = "";
  for (let q = 0; q < qids.length; q++) {
    const s = queryStart[q] as number;
    const e = queryStart[q + 1] as number;
    let size = 64;
    while (size < 2 * (e - s)) size *= 2;
    if (table.length < size) table = new Int32Array(size);
    table.fill(-1, 0, size);
    const mask = size - 1;
    for (let i = s; i < e; i++) {
      const k = order === undefined ? i : (order[i] as number);
      const h = entries.docHash[k] as number;
      const ds = entries.docStart[k] as number;
      const de = entries.docEnd[k] as number;
      let slot = h & mask;
      let duplicate = false;
      for (;;) {
        const other = table[slot] as number;
        if (other < 0) break;
        if (
          entries.docHash[other] === h &&
          compareByteRanges(
            bytes,
            ds,
            de,
            entries.docStart[other] as number,
            entries.docEnd[other] as number,
          ) === 0
        ) {
          duplicate = true;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (!duplicate) {
        table[slot] = k;
        continue;
      }
      drop ??= new Uint8Array(entries.size);
      drop[i] = 1;
      const line = entries.line[k] as number;
      if (line < firstLine) {
        firstLine = line;
        firstMessage = `duplicate document "${decode(bytes, ds, de)}" for query "${qids[q]}"`;
      }
    }
  }
  if (drop === undefined) return undefined;
  // Strict mode throws on the earliest repeated line (as a line-by-line reader would); lenient mode counts
  // every dropped line.
  issues.reject(firstLine, "docid", firstMessage);
  for (let i = 0; i < drop.length; i++) {
    const k = order === undefined ? i : (order[i] as number);
    const line = entries.line[k] as number;
    if (drop[i] === 1 && line !== firstLine) issues.reject(line, "docid", "duplicate document");
  }
  return drop;
}

function pack(
  bytes: Uint8Array,
  entries: Entries,
  order: Int32Array | undefined,
  drop: Uint8Array | undefined,
  qids: readonly string[],
): TrecRunColumns {
  let total = entries.size;
  if (drop !== undefined) for (let i = 0; i < drop.length; i++) total -= drop[i] as number;
  const queryStart = new Int32Array(qids.length + 1);
  const docStart = new Uint32Array(total);
  const docEnd = new Uint32Array(total);
  const docHash = new Int32Array(total);
  const scores = new Float64Array(total);
  let j = 0;
  for (let i = 0; i < entries.size; i++) {
    if (drop !== undefined && drop[i] === 1) continue;
    const k = order === undefined ? i : (order[i] as number);
    bump(queryStart, (entries.qidx[k] as number) + 1);
    docStart[j] = entries.docStart[k] as number;
    docEnd[j] = entries.docEnd[k] as number;
    docHash[j] = entries.docHash[k] as number;
    scores[j] = entries.scores[k] as number;
    j++;
  }
  for (let q = 0; q < qids.length; q++)
    queryStart[q + 1] = (queryStart[q + 1] as number) + (queryStart[q] as number);
  return { bytes, qids, queryStart, docStart, docEnd, docHash, scores };
}

const CHUNK_BYTES = 1 << 20;

/** Reads a TREC run file into columns (the whole file in memory), reporting progress per MiB read. */
export async function readTrecRunColumns(
  path: string,
  opts: ReadOptions = {},
): Promise<TrecRunColumnsResult> {
  const size = await fileSize(path);
  if (size > constants.MAX_LENGTH || size > 0xffffffff) {
    throw new InvalidArgumentError(
      `${path}: ${size} bytes is more than one buffer holds (${constants.MAX_LENGTH})`,
      {
        details: { file: path },
      },
    );
  }
  const bytes = Buffer.allocUnsafe(size);
  const file = await open(path, "r");
  let read = 0;
  try {
    while (read < size) {
      const { bytesRead } = await file.read(bytes, read, Math.min(CHUNK_BYTES, size - read), read);
      if (bytesRead === 0) break;
      read += bytesRead;
      opts.onProgress?.(read, size);
    }
  } finally {
    await file.close();
  }
  if (size === 0) opts.onProgress?.(0, 0);
  return parseTrecRunColumns(bytes.subarray(0, read), {
    file: path,
    ...(opts.lenient === undefined ? {} : { lenient: opts.lenient }),
  });
}

/** The qid -> docid -> score Map of a columnar run (queries and documents in file order). */
export function trecRunColumnsToMap(columns: TrecRunColumns): Run {
  const run: Run = new Map();
  const { bytes, qids, queryStart, docStart, docEnd, scores } = columns;
  for (let q = 0; q < qids.length; q++) {
    const docs = new Map<string, number>();
    for (let i = queryStart[q] as number; i < (queryStart[q + 1] as number); i++)
      docs.set(decode(bytes, docStart[i] as number, docEnd[i] as number), scores[i] as number);
    run.set(qids[q] as string, docs);
  }
  return run;
}
