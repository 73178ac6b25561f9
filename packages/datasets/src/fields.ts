/** Strict number parsing for text formats: Number() alone accepts "", "0x1f", " 1 " and "Infinity". */

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The value of an integer field, or undefined when it is not a plain base-10 integer. */
export function parseInteger(text: string): number | undefined {
  if (!INTEGER.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** The value of a decimal field (scores), or undefined when it is not a finite decimal number. */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Whitespace-separated columns, as trec_eval reads them (any run of spaces or tabs). */
export function whitespaceColumns(line: string): string[] {
  const trimmed = line.trim();
  return trimmed.length === 0 ? [] : trimmed.split(/\s+/);
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
