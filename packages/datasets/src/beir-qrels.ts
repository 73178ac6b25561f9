import { readLineBatches, isBlank } from "./line-reader.js";
import { LineIssues, newStats } from "./line-issues.js";
import { parseInteger, putPair, whitespaceColumns } from "./fields.js";
import type { Qrels, ReadOptions, ReadStats } from "./types.js";

/**
 * BEIR qrels/<split>.tsv: `query-id<TAB>corpus-id<TAB>score`, usually with that header line
 * (recognised only as the first non-blank line). Lines without a tab are split on whitespace, so
 * space-separated files read too. Scores are integers (graded, 0 or negative allowed); a
 * (query-id, corpus-id) pair may appear only once.
 */
export interface BeirQrelsResult {
  qrels: Qrels;
  stats: ReadStats;
}

const HEADER = ["query-id", "corpus-id", "score"];

function isHeader(cols: string[]): boolean {
  return cols.length === 3 && cols.every((c, i) => c.toLowerCase() === HEADER[i]);
}

export async function readBeirQrelsWithStats(path: string, opts: ReadOptions = {}): Promise<BeirQrelsResult> {
  const qrels: Qrels = new Map();
  const stats = newStats();
  const issues = new LineIssues(path, opts.lenient === true, stats);
  let first = true;
  for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
    for (let i = 0; i < lines.length; i++) {
      stats.lines++;
      const line = lines[i] as string;
      if (isBlank(line)) continue;
      const lineNo = firstLine + i;
      const cols = line.includes("\t") ? line.split("\t").map((c) => c.trim()) : whitespaceColumns(line);
      if (first) {
        first = false;
        if (isHeader(cols)) continue;
      }
      if (cols.length !== 3) {
        issues.reject(
          lineNo,
          undefined,
          `expected 3 columns (query-id corpus-id score), found ${cols.length}`,
        );
        continue;
      }
      const [qid, docid, scoreText] = cols as [string, string, string];
      if (qid === "" || docid === "") {
        issues.reject(lineNo, qid === "" ? "query-id" : "corpus-id", "empty");
        continue;
      }
      const score = parseInteger(scoreText);
      if (score === undefined) {
        issues.reject(lineNo, "score", `not an integer: "${scoreText}"`);
        continue;
      }
      if (!putPair(qrels, qid, docid, score)) {
        issues.reject(lineNo, "corpus-id", `duplicate judgment of document "${docid}" for query "${qid}"`);
        continue;
      }
      stats.records++;
    }
  }
  return { qrels, stats };
}

/** Reads a BEIR qrels file into qid -> docid -> score. */
export async function readBeirQrels(path: string, opts: ReadOptions = {}): Promise<Qrels> {
  return (await readBeirQrelsWithStats(path, opts)).qrels;
}
