import { readLineBatches, splitLines } from "./line-reader.js";
import { LineIssues, newStats } from "./line-issues.js";
import { PairInserter, parseInteger, splitColumnsInto } from "./fields.js";
import type { Qrels, ReadOptions, ReadStats } from "./types.js";

/**
 * TREC qrels: `qid iteration docid relevance`, whitespace separated, as trec_eval reads them.
 * The iteration column is ignored (it is almost always 0). Relevance must be an integer and may
 * be graded or negative; a (qid, docid) pair may appear only once.
 */
export interface TrecQrelsResult {
  qrels: Qrels;
  stats: ReadStats;
}

class TrecQrelsBuilder {
  readonly qrels: Qrels = new Map();
  readonly stats = newStats();
  private readonly issues: LineIssues;
  private readonly pairs = new PairInserter(this.qrels);
  private readonly cols: string[] = new Array<string>(4).fill("");

  constructor(file: string, lenient: boolean) {
    this.issues = new LineIssues(file, lenient, this.stats);
  }

  add(line: string, lineNo: number): void {
    this.stats.lines++;
    const cols = this.cols;
    const count = splitColumnsInto(line, cols);
    // Blank lines and comment lines (first non-blank character '#', read by trec_eval since 10.0) are
    // skipped. (trec_eval 10.0 itself fails on two comment lines in a row; we don't copy that.)
    if (count === 0 || (cols[0] as string).charCodeAt(0) === 0x23) return;
    if (count !== 4) {
      const found = count > 4 ? "more than 4" : String(count);
      this.issues.reject(
        lineNo,
        undefined,
        `expected 4 columns (qid iteration docid relevance), found ${found}`,
      );
      return;
    }
    const qid = cols[0] as string;
    const docid = cols[2] as string;
    const relText = cols[3] as string;
    const rel = parseInteger(relText);
    if (rel === undefined) {
      this.issues.reject(lineNo, "relevance", `not an integer: "${relText}"`);
      return;
    }
    if (!this.pairs.put(qid, docid, rel)) {
      this.issues.reject(lineNo, "docid", `duplicate judgment of document "${docid}" for query "${qid}"`);
      return;
    }
    this.stats.records++;
  }
}

export async function readTrecQrels(path: string, opts: ReadOptions = {}): Promise<TrecQrelsResult> {
  const builder = new TrecQrelsBuilder(path, opts.lenient === true);
  for await (const batch of readLineBatches(path, opts.onProgress)) {
    for (let i = 0; i < batch.lines.length; i++) builder.add(batch.lines[i] as string, batch.firstLine + i);
  }
  return { qrels: builder.qrels, stats: builder.stats };
}

/** Parses qrels held in memory, with the same rules as readTrecQrels. */
export function parseTrecQrels(text: string, opts: { file: string; lenient?: boolean }): TrecQrelsResult {
  const builder = new TrecQrelsBuilder(opts.file, opts.lenient === true);
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) builder.add(lines[i] as string, i + 1);
  return { qrels: builder.qrels, stats: builder.stats };
}
