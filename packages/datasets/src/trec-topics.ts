import { readLineBatches, isBlank } from "./line-reader.js";
import { LineIssues, newStats } from "./line-issues.js";
import type { QueryRecord, ReadOptions, ReadStats } from "./types.js";

/**
 * TREC ad hoc topic files (TREC-1 .. Robust04 style), an SGML-like format read line by line:
 *
 *   <top>
 *   <num> Number: 301
 *   <title> International Organized Crime
 *   <desc> Description:
 *   Identify organizations that participate in international criminal activity ...
 *   <narr> Narrative:
 *   A relevant document must as a minimum identify the organization ...
 *   </top>
 *
 * A line starting with `<tag>` opens a field that runs until the next tag or `</top>`; text
 * after the tag on the same line belongs to the field. Closing tags such as `</title>` are
 * tolerated. The conventional labels ("Number:", "Topic:", "Description:", "Narrative:") are
 * stripped. The query text is the title; description, narrative and any other fields go into
 * metadata (e.g. metadata.description). Field text is whitespace-normalised.
 */
export interface TrecTopicsResult {
  topics: QueryRecord[];
  stats: ReadStats;
}

const OPEN_TAG = /^\s*<([A-Za-z][\w-]*)>(.*)$/;
const CLOSE_TAG = /<\/[A-Za-z][\w-]*>/g;
const LABELS: Record<string, RegExp> = {
  num: /^Number:\s*/i,
  title: /^Topic:\s*/i,
  desc: /^Description:\s*/i,
  narr: /^Narrative:\s*/i,
};
const METADATA_NAMES: Record<string, string> = { desc: "description", narr: "narrative" };

interface Topic {
  line: number;
  fields: Map<string, string[]>;
}

export async function readTrecTopics(path: string, opts: ReadOptions = {}): Promise<TrecTopicsResult> {
  const stats = newStats();
  const issues = new LineIssues(path, opts.lenient === true, stats);
  const topics: QueryRecord[] = [];
  const seen = new Set<string>();
  let topic: Topic | undefined;
  let field: string[] | undefined;
  let discarding = false; // inside a topic already rejected (lenient mode): ignore it up to </top>

  const close = (): void => {
    const t = topic as Topic;
    topic = undefined;
    field = undefined;
    const text = (tag: string): string => {
      const value = (t.fields.get(tag) ?? []).join(" ").replace(/\s+/g, " ").trim();
      const label = LABELS[tag];
      return label === undefined ? value : value.replace(label, "");
    };
    const id = text("num");
    if (id === "" || /\s/.test(id)) {
      issues.reject(t.line, "num", id === "" ? "topic has no <num>" : `invalid topic number "${id}"`);
      return;
    }
    if (seen.has(id)) {
      issues.reject(t.line, "num", `duplicate topic number "${id}"`);
      return;
    }
    const title = text("title");
    if (title === "") {
      issues.reject(t.line, "title", `topic ${id} has no <title>`);
      return;
    }
    seen.add(id);
    const metadata: Record<string, unknown> = {};
    for (const tag of t.fields.keys()) {
      if (tag === "num" || tag === "title") continue;
      const value = text(tag);
      if (value !== "") metadata[METADATA_NAMES[tag] ?? tag] = value;
    }
    topics.push(Object.keys(metadata).length > 0 ? { id, text: title, metadata } : { id, text: title });
    stats.records++;
  };

  for await (const { lines, firstLine } of readLineBatches(path, opts.onProgress)) {
    for (let i = 0; i < lines.length; i++) {
      stats.lines++;
      const line = lines[i] as string;
      const lineNo = firstLine + i;
      const trimmed = line.trim().toLowerCase();
      if (trimmed === "<top>") {
        if (topic !== undefined) {
          issues.reject(topic.line, "top", "<top> without a closing </top>");
          topic = undefined;
        }
        topic = { line: lineNo, fields: new Map() };
        field = undefined;
        discarding = false;
        continue;
      }
      if (trimmed === "</top>") {
        if (topic !== undefined) close();
        else if (!discarding) issues.reject(lineNo, "top", "</top> without an opening <top>");
        discarding = false;
        continue;
      }
      if (discarding) continue;
      if (topic === undefined) {
        if (!isBlank(line)) issues.reject(lineNo, undefined, "text outside <top> ... </top>");
        continue;
      }
      const content = line.replace(CLOSE_TAG, " ");
      const open = OPEN_TAG.exec(content);
      if (open !== null) {
        const tag = (open[1] as string).toLowerCase();
        if (topic.fields.has(tag)) {
          issues.reject(lineNo, tag, `repeated <${tag}> in topic starting at line ${topic.line}`);
          topic = undefined;
          field = undefined;
          discarding = true;
          continue;
        }
        field = [open[2] as string];
        topic.fields.set(tag, field);
        continue;
      }
      if (field === undefined) {
        if (!isBlank(content))
          issues.reject(lineNo, undefined, "text before the first field tag of the topic");
        continue;
      }
      field.push(content);
    }
  }
  if (topic !== undefined) issues.reject(topic.line, "top", "<top> without a closing </top>");
  return { topics, stats };
}
