import { InputError } from "@ferret/errors";
import { parseDecimal, parseInteger, putPair, whitespaceColumns } from "./fields.js";
import { LineIssues, newStats } from "./line-issues.js";
import { isBlank, readLineBatches } from "./line-reader.js";
import type { Qrels, ReadOptions, ReadStats } from "./types.js";

/**
 * Relevance files of the Glasgow-format collections, which come in three layouts:
 *
 * - "cranfield" (cranqrel): `qid docid code`, Cleverdon's codes (see cranfield.ts).
 * - "pairs" (CACM qrels.text, CISI.REL, ADI.REL): `qid docid 0 0` (CISI and ADI write `0.000000`):
 *   every listed pair is relevant, the last two columns are unused.
 * - "trec" (MED.REL): `qid 0 docid relevance`, trec_eval's qrels layout.
 *
 * Numeric ids are compared as numbers written without leading zeros (glasgowId): CACM's qrels
 * write query 1 as "01" while its queries file writes ".I 1".
 */
export type GlasgowQrelsLayout = "pairs" | "trec";

/** A numeric id without leading zeros ("01" -> "1"); other ids unchanged. */
export function glasgowId(id: string): string {
  return /^\d+$/.test(id) ? id.replace(/^0+(?=\d)/, "") : id;
}

/** The layout of a 4-column relevance line, or undefined when it fits neither. */
export function detectQrelsLayout(columns: readonly string[]): GlasgowQrelsLayout | undefined {
  if (columns.length !== 4) return undefined;
  // Document ids start at 1, so a "0" tells the iteration column (trec) from a document id (pairs).
  if (columns[1] === "0" && columns[2] !== "0") return "trec";
  if (columns[1] !== "0" && parseInteger(columns[2] as string) === 0) return "pairs";
  return undefined;
}

export interface GlasgowQrelsResult {
  qrels: Qrels;
  layout: GlasgowQrelsLayout;
  stats: ReadStats;
}

/**
 * Reads a 4-column Glasgow relevance file. `layout` defaults to what the first line shows; every
 * line must then fit it. Malformed lines and duplicate pairs are InputErrors naming file and line.
 */
export async function readGlasgowQrels(
  path: string,
  opts: ReadOptions & { layout?: GlasgowQrelsLayout } = {},
): Promise<GlasgowQrelsResult> {
  const qrels: Qrels = new Map();
  const stats = newStats();
  const issues = new LineIssues(path, opts.lenient === true, stats);
  let layout = opts.layout;
  for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
    for (let i = 0; i < lines.length; i++) {
      stats.lines++;
      const line = lines[i] as string;
      if (isBlank(line)) continue;
      const lineNo = firstLine + i;
      const cols = whitespaceColumns(line);
      if (cols.length !== 4) {
        issues.reject(lineNo, undefined, `expected 4 columns, found ${cols.length}`);
        continue;
      }
      if (layout === undefined) {
        layout = detectQrelsLayout(cols);
        if (layout === undefined) {
          throw new InputError(
            { file: path, line: lineNo },
            'neither "qid docid 0 0" (CACM, CISI, ADI) nor "qid 0 docid relevance" (MED)',
          );
        }
      }
      let qid: string;
      let docid: string;
      let relevance: number;
      if (layout === "pairs") {
        [qid, docid] = cols as [string, string];
        if (parseInteger(cols[2] as string) === undefined || parseDecimal(cols[3] as string) === undefined) {
          issues.reject(lineNo, undefined, `expected "qid docid 0 0", found "${line.trim()}"`);
          continue;
        }
        relevance = 1;
      } else {
        qid = cols[0] as string;
        docid = cols[2] as string;
        const rel = parseInteger(cols[3] as string);
        if (rel === undefined) {
          issues.reject(lineNo, "relevance", `not an integer: "${cols[3]}"`);
          continue;
        }
        relevance = rel;
      }
      if (!putPair(qrels, glasgowId(qid), glasgowId(docid), relevance)) {
        issues.reject(lineNo, "docid", `duplicate judgment of document "${docid}" for query "${qid}"`);
        continue;
      }
      stats.records++;
    }
  }
  if (layout === undefined) throw new InputError({ file: path }, "no relevance judgments");
  return { qrels, layout, stats };
}
