import {
  parseTrecRunColumns,
  readTrecRunColumns,
  trecRunColumnsToMap,
  type TrecRunColumnsResult,
} from "./trec-run-columns.js";
import type { ReadOptions, ReadStats, Run } from "./types.js";

/**
 * TREC run files as a qid -> docid -> score Map: one line per retrieved document, `qid Q0 docid rank score
 * tag`, whitespace separated (trec_eval's format). trec_eval ignores the rank column and orders by score, so
 * we keep only the score; the run's name is the tag of its first line. Parsing (rules, errors) is
 * trec-run-columns.ts's; evaluation reads the columns directly.
 */
export interface TrecRunResult {
  run: Run;
  stats: ReadStats;
  /** The run tag (6th column) of the first entry; undefined for an empty run. */
  name?: string;
}

function toMap({ columns, stats, name }: TrecRunColumnsResult): TrecRunResult {
  const run = trecRunColumnsToMap(columns);
  return name === undefined ? { run, stats } : { run, stats, name };
}

/** Reads a TREC run file. Malformed lines, non-numeric scores and duplicate (qid, docid) pairs are InputErrors. */
export async function readTrecRun(path: string, opts: ReadOptions = {}): Promise<TrecRunResult> {
  return toMap(await readTrecRunColumns(path, opts));
}

export interface ParseTrecRunOptions {
  /** Label used in error messages, e.g. "<request>" or the original file name. */
  file: string;
  lenient?: boolean;
}

/** Parses a run held in memory (e.g. sent inline over gRPC), with the same rules as readTrecRun. */
export function parseTrecRun(text: string, opts: ParseTrecRunOptions): TrecRunResult {
  return toMap(parseTrecRunColumns(text, opts));
}
