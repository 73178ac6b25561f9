import { readLineBatches, isBlank } from "./line-reader.js";
import { LineIssues, newStats } from "./line-issues.js";
import { parseInteger, putPair, whitespaceColumns } from "./fields.js";
import { readGlasgowQueries } from "./glasgow.js";
import type { Qrels, QueryRecord, ReadOptions, ReadStats, RecordStream } from "./types.js";

/**
 * Cranfield 1400 (Cleverdon, 1967; Glasgow distribution) has two quirks that silently break
 * evaluation if ignored:
 *
 * 1. Query ids. cran.qry numbers its 225 queries with `.I` values 001..365 (with gaps), but
 *    cranqrel numbers them 1..225 in file order. The ids are therefore NOT the `.I` values:
 *    readCranfieldQueries renumbers the queries 1..N in file order and keeps the `.I` value in
 *    metadata.originalId. (Stripping the leading zeros of `.I` instead, as some loaders do,
 *    pairs most queries with another query's judgments.)
 *
 * 2. Relevance codes. cranqrel's third column is Cleverdon's code, where LOWER is MORE relevant:
 *    1 = complete answer, 2 = high degree of relevance, 3 = useful background, 4 = minimum
 *    interest, 5 = no interest (none in the file); -1 (one per query) marks a judged, not relevant
 *    document. trec_eval uses the label as the gain (nDCG) and counts label >= 1 as relevant, so
 *    higher must mean better: cranfieldGrade maps 1→4, 2→3, 3→2, 4→1, and 5 and -1 → 0. Every
 *    listed code 1..4 stays relevant (grade >= 1), so binary measures are unchanged; graded
 *    measures get the order Cleverdon meant. The raw codes are kept alongside.
 */

/** Cleverdon code -> graded relevance (higher = more relevant). */
export const CRANFIELD_GRADES: ReadonlyMap<number, number> = new Map([
  [1, 4],
  [2, 3],
  [3, 2],
  [4, 1],
  [5, 0],
  [-1, 0],
]);

/** Graded relevance for a Cleverdon code, or undefined for a code outside {-1, 1..5}. */
export function cranfieldGrade(code: number): number | undefined {
  return CRANFIELD_GRADES.get(code);
}

/** Cranfield queries with ids renumbered 1..N in file order (see the module comment); metadata.originalId = `.I`. */
export function readCranfieldQueries(path: string, opts: ReadOptions = {}): RecordStream<QueryRecord> {
  return readGlasgowQueries(path, { ...opts, ids: "ordinal" });
}

export interface CranfieldQrelsResult {
  /** qid -> docid -> graded relevance (cranfieldGrade of the code). */
  qrels: Qrels;
  /** qid -> docid -> the raw Cleverdon code as written. */
  codes: Qrels;
  stats: ReadStats;
}

/** Reads cranqrel (`qid docid code`, whitespace separated). Unknown codes and duplicate pairs are InputErrors. */
export async function readCranfieldQrels(
  path: string,
  opts: ReadOptions = {},
): Promise<CranfieldQrelsResult> {
  const qrels: Qrels = new Map();
  const codes: Qrels = new Map();
  const stats = newStats();
  const issues = new LineIssues(path, opts.lenient === true, stats);
  for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
    for (let i = 0; i < lines.length; i++) {
      stats.lines++;
      const line = lines[i] as string;
      if (isBlank(line)) continue;
      const lineNo = firstLine + i;
      const cols = whitespaceColumns(line);
      if (cols.length !== 3) {
        issues.reject(lineNo, undefined, `expected 3 columns (qid docid code), found ${cols.length}`);
        continue;
      }
      const [qid, docid, codeText] = cols as [string, string, string];
      const code = parseInteger(codeText);
      if (code === undefined) {
        issues.reject(lineNo, "code", `not an integer: "${codeText}"`);
        continue;
      }
      const grade = cranfieldGrade(code);
      if (grade === undefined) {
        issues.reject(lineNo, "code", `unknown relevance code ${code} (expected -1 or 1..5)`);
        continue;
      }
      if (!putPair(codes, qid, docid, code)) {
        issues.reject(lineNo, "docid", `duplicate judgment of document "${docid}" for query "${qid}"`);
        continue;
      }
      putPair(qrels, qid, docid, grade);
      stats.records++;
    }
  }
  return { qrels, codes, stats };
}
