import { readLineBatches, splitLines } from "./line-reader.js";
import { LineIssues, newStats } from "./line-issues.js";
import { PairInserter, parseDecimal, splitColumnsInto } from "./fields.js";
import type { ReadOptions, ReadStats, Run } from "./types.js";

/**
 * TREC run files: one line per retrieved document, `qid Q0 docid rank score tag`, whitespace
 * separated (trec_eval's format). trec_eval ignores the rank column and orders by score, so we
 * keep only the score; the run's name is the tag of its first line.
 */
export interface TrecRunResult {
  run: Run;
  stats: ReadStats;
  /** The run tag (6th column) of the first entry; undefined for an empty run. */
  name?: string;
}

const HASH = 0x23;
const RUN_COLUMNS = ["qid", "Q0", "docid", "rank", "score", "tag"] as const;

class TrecRunBuilder {
  readonly run: Run = new Map();
  readonly stats = newStats();
  name: string | undefined;
  private readonly issues: LineIssues;
  private readonly pairs = new PairInserter(this.run);
  private readonly cols: string[] = new Array<string>(RUN_COLUMNS.length).fill("");

  constructor(file: string, lenient: boolean) {
    this.issues = new LineIssues(file, lenient, this.stats);
  }

  add(line: string, lineNo: number): void {
    this.stats.lines++;
    const cols = this.cols;
    const count = splitColumnsInto(line, cols);
    // Blank lines and, since trec_eval 10.0, comment lines (first non-blank character '#') are skipped.
    if (count === 0 || (cols[0] as string).charCodeAt(0) === HASH) return;
    if (count !== RUN_COLUMNS.length) {
      const found = count > RUN_COLUMNS.length ? `more than ${RUN_COLUMNS.length}` : String(count);
      this.issues.reject(
        lineNo,
        undefined,
        `expected 6 columns (qid Q0 docid rank score tag), found ${found}`,
      );
      return;
    }
    const qid = cols[0] as string;
    const docid = cols[2] as string;
    const scoreText = cols[4] as string;
    const tag = cols[5] as string;
    const score = parseDecimal(scoreText);
    if (score === undefined) {
      this.issues.reject(lineNo, "score", `not a number: "${scoreText}"`);
      return;
    }
    if (!this.pairs.put(qid, docid, score)) {
      this.issues.reject(lineNo, "docid", `duplicate document "${docid}" for query "${qid}"`);
      return;
    }
    this.name ??= tag;
    this.stats.records++;
  }

  result(): TrecRunResult {
    return this.name === undefined
      ? { run: this.run, stats: this.stats }
      : { run: this.run, stats: this.stats, name: this.name };
  }
}

/** Reads a TREC run file. Malformed lines, non-numeric scores and duplicate (qid, docid) pairs are InputErrors. */
export async function readTrecRun(path: string, opts: ReadOptions = {}): Promise<TrecRunResult> {
  const builder = new TrecRunBuilder(path, opts.lenient === true);
  for await (const batch of readLineBatches(path, opts.onProgress)) {
    for (let i = 0; i < batch.lines.length; i++) builder.add(batch.lines[i] as string, batch.firstLine + i);
  }
  return builder.result();
}

export interface ParseTrecRunOptions {
  /** Label used in error messages, e.g. "<request>" or the original file name. */
  file: string;
  lenient?: boolean;
}

/** Parses a run held in memory (e.g. sent inline over gRPC), with the same rules as readTrecRun. */
export function parseTrecRun(text: string, opts: ParseTrecRunOptions): TrecRunResult {
  const builder = new TrecRunBuilder(opts.file, opts.lenient === true);
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) builder.add(lines[i] as string, i + 1);
  return builder.result();
}
