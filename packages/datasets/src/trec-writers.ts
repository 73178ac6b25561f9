import { InvalidArgumentError } from "@ferret/errors";
import { writeFileAtomically } from "./atomic-write.js";
import { rankByTrecOrder } from "./trec-order.js";
import type { Qrels, Run } from "./types.js";

export interface WriteTrecRunOptions {
  /** Run tag written in the 6th column (no whitespace). */
  tag: string;
  /** Keep only the top `depth` documents per query (after sorting). */
  depth?: number;
  /**
   * Write scores with this many decimals (as Anserini's `%f` writes 6) instead of the shortest form
   * that reads back as the same number.
   */
  scoreDecimals?: number;
}

const NO_WHITESPACE = /^\S+$/;

function checkToken(value: string, what: string): void {
  if (!NO_WHITESPACE.test(value)) {
    throw new InvalidArgumentError(`${what} must be non-empty and contain no whitespace: "${value}"`);
  }
}

/** A line whose first column starts with '#' is a comment to trec_eval 10.0 (and our readers): it would vanish. */
function checkQueryId(qid: string): void {
  checkToken(qid, "query id");
  if (qid.startsWith("#"))
    throw new InvalidArgumentError(
      `query id "${qid}" starts with '#': trec_eval would read the line as a comment`,
    );
}

/**
 * Writes a run as `qid Q0 docid rank score tag`, atomically. Each query's documents are sorted
 * as trec_eval ranks them (score descending, ties by docid descending) and numbered 1..n, so
 * tools that trust the rank column and trec_eval agree. Queries keep the Map's order. Scores are
 * written in shortest round-trip form, so reading the file back gives identical numbers, unless
 * `scoreDecimals` asks for fixed decimals.
 */
export async function writeTrecRun(path: string, run: Run, opts: WriteTrecRunOptions): Promise<void> {
  checkToken(opts.tag, "run tag");
  const depth = opts.depth;
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 1)) {
    throw new InvalidArgumentError(`depth must be a positive integer, got ${depth}`);
  }
  const decimals = opts.scoreDecimals;
  if (decimals !== undefined && (!Number.isInteger(decimals) || decimals < 0 || decimals > 20)) {
    throw new InvalidArgumentError(`scoreDecimals must be an integer from 0 to 20, got ${decimals}`);
  }
  await writeFileAtomically(path, async (sink) => {
    for (const [qid, docs] of run) {
      checkQueryId(qid);
      const ranked = rankByTrecOrder(docs, depth);
      const lines: string[] = [];
      for (let i = 0; i < ranked.length; i++) {
        const [docid, score] = ranked[i] as [string, number];
        checkToken(docid, "document id");
        if (!Number.isFinite(score))
          throw new InvalidArgumentError(`score of ${qid}/${docid} is not finite: ${score}`);
        const written = decimals === undefined ? String(score) : score.toFixed(decimals);
        lines.push(`${qid} Q0 ${docid} ${i + 1} ${written} ${opts.tag}\n`);
      }
      await sink.write(lines.join(""));
    }
  });
}

/** Writes qrels as `qid 0 docid relevance` (trec_eval's format), atomically, in the Map's order. */
export async function writeTrecQrels(path: string, qrels: Qrels): Promise<void> {
  await writeFileAtomically(path, async (sink) => {
    for (const [qid, docs] of qrels) {
      checkQueryId(qid);
      const lines: string[] = [];
      for (const [docid, rel] of docs) {
        checkToken(docid, "document id");
        if (!Number.isInteger(rel))
          throw new InvalidArgumentError(`relevance of ${qid}/${docid} is not an integer: ${rel}`);
        lines.push(`${qid} 0 ${docid} ${rel}\n`);
      }
      await sink.write(lines.join(""));
    }
  });
}
