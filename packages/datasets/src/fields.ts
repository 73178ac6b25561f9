/** Strict number parsing for text formats: Number() alone accepts "", "0x1f", " 1 " and "Infinity". */

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of an integer field, or undefined when it is not a plain base-10 integer. */
export function parseInteger(text: string): number | undefined {
  if (!INTEGER.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The value of a decimal field (scores), or undefined when it is not a finite decimal number. */
export function parseDecimal(text: string): number | undefined {
  // Fast path for the millions of scores in a run file: Number() agrees with DECIMAL whenever the
  // text starts with a digit, sign or dot, ends with a digit or dot and has no radix prefix (0x, 0b, 0o).
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  const second = text.charCodeAt(1);
  if (
    (isDigit(first) || first === 45 || first === 43 || first === 46) &&
    (isDigit(last) || last === 46) &&
    !(first === 48 && (second | 32) !== 101 && second > 57)
  ) {
    const value = Number(text);
    if (Number.isFinite(value)) return value;
  }
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Whitespace-separated columns, as trec_eval reads them (any run of spaces or tabs). */
export function whitespaceColumns(line: string): string[] {
  const trimmed = line.trim();
  return trimmed.length === 0 ? [] : trimmed.split(/\s+/);
}

/** ASCII whitespace as C's isspace() sees it: the separators trec_eval's readers accept. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Splits a line on runs of ASCII whitespace into `out` and returns the number of columns, counting
 * at most out.length + 1 (enough to tell "too many"). Hand-rolled: trim() + split(/\s+/) allocates an
 * array per line and dominated the parse time of multi-million-line run files.
 */
export function splitColumnsInto(line: string, out: string[]): number {
  const n = line.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(line.charCodeAt(i))) i++;
    if (count === out.length) return count + 1;
    out[count++] = line.slice(start, i);
  }
  return count;
}

/**
 * putPair for input grouped by query (runs and qrels nearly always are): remembers the last
 * query's inner map so consecutive lines skip the outer lookup.
 */
export class PairInserter {
  private lastQid: string | undefined;
  private lastDocs: Map<string, number> | undefined;

  constructor(readonly map: Map<string, Map<string, number>>) {}

  /** Inserts qid -> docid -> value; false when the pair is already present (left unchanged). */
  put(qid: string, docid: string, value: number): boolean {
    let docs = this.lastDocs;
    if (qid !== this.lastQid || docs === undefined) {
      docs = this.map.get(qid);
      if (docs === undefined) {
        docs = new Map();
        this.map.set(qid, docs);
      }
      this.lastQid = qid;
      this.lastDocs = docs;
    }
    if (docs.has(docid)) return false;
    docs.set(docid, value);
    return true;
  }
}

/** Inserts qid -> docid -> value; false when the pair is already present (the map is left unchanged). */
export function putPair(
  map: Map<string, Map<string, number>>,
  qid: string,
  docid: string,
  value: number,
): boolean {
  let docs = map.get(qid);
  if (docs === undefined) {
    docs = new Map();
    map.set(qid, docs);
  }
  if (docs.has(docid)) return false;
  docs.set(docid, value);
  return true;
}
