import { InputError } from "@ferret/errors";
import { parseInteger } from "./fields.js";
import { glasgowId } from "./glasgow-qrels.js";
import { LineIssues, newStats } from "./line-issues.js";
import { isBlank, readLineBatches, unwrapLines } from "./line-reader.js";
import { recordStream } from "./record-stream.js";
import type { DocumentRecord, Qrels, QueryRecord, ReadOptions, ReadStats, RecordStream } from "./types.js";

/**
 * LISA (Library and Information Science Abstracts, 1982, as the Glasgow distribution ships it):
 *
 * - Documents, split over several files (LISA0.001, LISA0.501, ..., read in name order): each starts
 *   with a line `Document <n>`, then its title (one or more lines up to the first blank line), then its
 *   abstract; a line of asterisks (44 in the distribution) ends it.
 * - LISA.QUE: each query is its number on a line of its own, then its text, ended by a `#`.
 * - LISA.REL: per query, `Query <n>`, `<k> Relevant Refs:`, then the k document numbers over one or
 *   more lines, ended by `-1`.
 * - LISARJ.NUM: the same judgments as whitespace-separated numbers, `qid k docid ... docid` per query,
 *   wrapped over lines at any point.
 *
 * Every listed document is relevant (1).
 */

const DOCUMENT = /^Document\s+(\d+)$/;
const SEPARATOR = /^\*{3,}$/;

/** The LISA documents of `paths`, in that order; a document number repeated in any of them is an InputError. */
export function readLisaDocuments(
  paths: string | readonly string[],
  opts: ReadOptions = {},
): RecordStream<DocumentRecord> {
  const files = typeof paths === "string" ? [paths] : paths;
  return recordStream(async function* (stats: ReadStats) {
    const seen = new Set<string>();
    for (const path of files) {
      const issues = new LineIssues(path, opts.lenient === true, stats);
      // Between documents ("between"), in a title, or in an abstract; "skip" inside a rejected document.
      let state: "between" | "title" | "text" | "skip" = "between";
      let id = "";
      let title: string[] = [];
      let body: string[] = [];
      const finish = (): DocumentRecord => {
        stats.records++;
        return { id, title: unwrapLines(title), text: unwrapLines(body) };
      };
      for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
        for (let i = 0; i < lines.length; i++) {
          stats.lines++;
          const line = (lines[i] as string).trim();
          const lineNo = firstLine + i;
          if (SEPARATOR.test(line)) {
            if (state === "title" || state === "text") yield finish();
            else if (state === "between")
              issues.reject(lineNo, undefined, "a separator line outside a document");
            state = "between";
            continue;
          }
          const header = DOCUMENT.exec(line);
          if (header !== null) {
            if (state === "title" || state === "text") {
              issues.reject(lineNo, "Document", `document ${id} has no separator line before "${line}"`);
              state = "skip";
              continue;
            }
            const number = glasgowId(header[1] as string);
            if (seen.has(number)) {
              issues.reject(lineNo, "Document", `duplicate document number ${header[1]}`);
              state = "skip";
              continue;
            }
            seen.add(number);
            [id, title, body, state] = [number, [], [], "title"];
            continue;
          }
          if (state === "skip") continue;
          if (state === "between") {
            if (line !== "")
              issues.reject(lineNo, undefined, `expected "Document <number>", found "${line}"`);
            continue;
          }
          if (state === "title") {
            if (line !== "") title.push(line);
            else if (title.length > 0) state = "text";
            continue;
          }
          body.push(line);
        }
      }
      // The distribution ends every document with a separator; a last one without it is still whole.
      if (state === "title" || state === "text") yield finish();
    }
  });
}

/** LISA.QUE: a number line opens a query, a line ending in `#` closes it; an unclosed query is an InputError. */
export function readLisaQueries(path: string, opts: ReadOptions = {}): RecordStream<QueryRecord> {
  return recordStream(async function* (stats: ReadStats) {
    const issues = new LineIssues(path, opts.lenient === true, stats);
    const seen = new Set<string>();
    let open: { id: string; line: number; text: string[] } | undefined;
    let skipping = false;
    for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
      for (let i = 0; i < lines.length; i++) {
        stats.lines++;
        const line = (lines[i] as string).trim();
        const lineNo = firstLine + i;
        if (open !== undefined || skipping) {
          const end = line.endsWith("#");
          if (open !== undefined) open.text.push(end ? line.slice(0, -1) : line);
          if (!end) continue;
          if (open !== undefined) {
            stats.records++;
            yield { id: open.id, text: unwrapLines(open.text) };
          }
          open = undefined;
          skipping = false;
          continue;
        }
        if (line === "") continue;
        const number = /^\d+$/.test(line) ? glasgowId(line) : undefined;
        if (number === undefined) {
          issues.reject(lineNo, "id", `expected a query number, found "${line}"`);
          skipping = true;
        } else if (seen.has(number)) {
          issues.reject(lineNo, "id", `duplicate query number ${line}`);
          skipping = true;
        } else {
          seen.add(number);
          open = { id: number, line: lineNo, text: [] };
        }
      }
    }
    if (open !== undefined) issues.reject(open.line, "#", `query ${open.id} has no closing "#"`);
  });
}

/** Judgments built one token at a time, shared by the LISA.REL and LISARJ.NUM readers. */
class Judgments {
  readonly qrels: Qrels = new Map();
  readonly stats = newStats();
  readonly issues: LineIssues;
  constructor(
    readonly path: string,
    lenient: boolean,
  ) {
    this.issues = new LineIssues(path, lenient, this.stats);
  }
  /** Opens query `qid`'s judgments; undefined (after reporting it) when it was already judged. */
  open(qid: string, line: number): Map<string, number> | undefined {
    const id = glasgowId(qid);
    if (this.qrels.has(id)) {
      this.issues.reject(line, "qid", `query ${qid} is judged twice`);
      return undefined;
    }
    const docs = new Map<string, number>();
    this.qrels.set(id, docs);
    return docs;
  }
  /** Drops a rejected query's judgments (lenient mode), so that no query is kept half-read. */
  drop(qid: string): void {
    const id = glasgowId(qid);
    this.stats.records -= this.qrels.get(id)?.size ?? 0;
    this.qrels.delete(id);
  }
  /** Adds a relevant document; false (after reporting it) when it is not a number or listed twice. */
  add(docs: Map<string, number>, qid: string, token: string, line: number): boolean {
    if (!/^\d+$/.test(token)) {
      this.issues.reject(line, "docid", `not a document number: "${token}"`);
      return false;
    }
    if (docs.has(glasgowId(token))) {
      this.issues.reject(line, "docid", `document ${token} is listed twice for query ${qid}`);
      return false;
    }
    docs.set(glasgowId(token), 1);
    this.stats.records++;
    return true;
  }
}

async function* tokens(path: string, opts: ReadOptions, stats: ReadStats) {
  for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
    for (let i = 0; i < lines.length; i++) {
      stats.lines++;
      const line = lines[i] as string;
      yield { line: firstLine + i, text: line.trim(), tokens: isBlank(line) ? [] : line.trim().split(/\s+/) };
    }
  }
}

const QUERY = /^Query\s+(\d+)$/;
const REFS = /^(\d+)\s+Relevant\s+Refs:$/;

/**
 * LISA.REL. A line out of place, a count that differs from the documents listed, a missing `-1` or
 * anything after it on its line is an InputError naming the line.
 */
export async function readLisaQrels(
  path: string,
  opts: ReadOptions = {},
): Promise<{ qrels: Qrels; stats: ReadStats }> {
  const j = new Judgments(path, opts.lenient === true);
  // "query": expecting `Query n`; "refs": `k Relevant Refs:`; "docs": numbers up to -1; "skip": to the next Query.
  let state: "query" | "refs" | "docs" | "skip" = "query";
  let qid = "";
  let qidLine = 0;
  let docs: Map<string, number> | undefined;
  let expected = 0;
  let listed = 0;
  for await (const { line, text, tokens: words } of tokens(path, opts, j.stats)) {
    if (words.length === 0) continue;
    const query = QUERY.exec(text);
    if (state === "skip") {
      if (query === null) continue;
      state = "query";
    }
    if (state === "query") {
      if (query === null) {
        j.issues.reject(line, "Query", `expected "Query <number>", found "${text}"`);
        state = "skip";
        continue;
      }
      [qid, qidLine, state] = [query[1] as string, line, "refs"];
      continue;
    }
    if (state === "refs") {
      const refs = REFS.exec(text);
      if (refs === null) {
        j.issues.reject(line, "Relevant Refs", `expected "<count> Relevant Refs:", found "${text}"`);
        state = "skip";
        continue;
      }
      docs = j.open(qid, qidLine);
      [expected, listed, state] = [Number(refs[1]), 0, docs === undefined ? "skip" : "docs"];
      continue;
    }
    // state === "docs"
    const end = words.indexOf("-1");
    if (end !== -1 && end !== words.length - 1) {
      j.issues.reject(line, "docid", 'text after the closing "-1"');
      j.drop(qid);
      state = "skip";
      continue;
    }
    const numbers = end === -1 ? words : words.slice(0, -1);
    if (!numbers.every((w) => j.add(docs as Map<string, number>, qid, w, line))) {
      j.drop(qid);
      state = "skip";
      continue;
    }
    listed += numbers.length;
    if (end === -1) continue;
    state = "query";
    if (listed !== expected) {
      j.issues.reject(
        line,
        "Relevant Refs",
        `query ${qid} says ${expected} relevant refs but lists ${listed}`,
      );
      j.drop(qid);
    }
  }
  if (state === "refs" || state === "docs") {
    j.issues.reject(qidLine, "Query", `query ${qid}'s judgments end without "-1"`);
    if (state === "docs") j.drop(qid);
  }
  if (j.qrels.size === 0 && j.stats.skipped === 0)
    throw new InputError({ file: path }, "no relevance judgments");
  return { qrels: j.qrels, stats: j.stats };
}

/**
 * LISARJ.NUM: numbers `qid k docid ... docid` per query, wrapped anywhere. A token that is not a
 * number, or a file that ends inside a query's list, is an InputError naming the line.
 */
export async function readLisaNumQrels(
  path: string,
  opts: ReadOptions = {},
): Promise<{ qrels: Qrels; stats: ReadStats }> {
  const j = new Judgments(path, opts.lenient === true);
  let qid: string | undefined;
  let qidLine = 0;
  let docs: Map<string, number> | undefined;
  let owned = false; // docs is qid's entry in the judgments (not a repeated query's throwaway)
  let remaining: number | undefined; // documents still to read for qid; undefined before its count
  for await (const { line, tokens: words } of tokens(path, opts, j.stats)) {
    for (const word of words) {
      if (qid === undefined) {
        if (!/^\d+$/.test(word)) {
          j.issues.reject(line, "qid", `not a query number: "${word}"`);
          return { qrels: j.qrels, stats: j.stats }; // lenient: the rest of the stream has lost its frame
        }
        [qid, qidLine, remaining] = [word, line, undefined];
        continue;
      }
      if (remaining === undefined) {
        const count = parseInteger(word);
        if (count === undefined || count < 0) {
          j.issues.reject(line, "count", `not a count of documents: "${word}"`);
          return { qrels: j.qrels, stats: j.stats };
        }
        docs = j.open(qid, qidLine);
        owned = docs !== undefined;
        docs ??= new Map<string, number>();
        remaining = count;
      } else {
        j.add(docs as Map<string, number>, qid, word, line);
        remaining--;
      }
      if (remaining === 0) qid = undefined;
    }
  }
  if (qid !== undefined) {
    j.issues.reject(
      qidLine,
      "count",
      remaining === undefined
        ? `query ${qid} has no count of documents`
        : `query ${qid}'s list ends ${remaining} document(s) short`,
    );
    if (remaining !== undefined && owned) j.drop(qid);
  }
  if (j.qrels.size === 0 && j.stats.skipped === 0)
    throw new InputError({ file: path }, "no relevance judgments");
  return { qrels: j.qrels, stats: j.stats };
}
