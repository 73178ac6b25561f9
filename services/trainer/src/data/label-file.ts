/**
 * The annotator's labels.jsonl as training positives. Each line is a LabelRecord (services/annotator
 * labels.ts); only the fields used here are validated, so provenance may grow. Failed labels, synthetic
 * documents and round-trip-rejected queries are skipped and counted. An id that names no query or no
 * corpus document is an InputError with the file, line and field; labels of known queries outside the
 * training set (e.g. test queries) are ignored and counted, never trained on.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { z } from "zod";
import type { Collection } from "./collection.js";

const labelLine = z.object({
  kind: z.enum(["relevance", "utility", "query", "document"]),
  queryId: z.string().min(1),
  docId: z.string().min(1),
  status: z.enum(["ok", "failed"]),
  grade: z.number().optional(),
  relevant: z.boolean().optional(),
  utility: z.boolean().optional(),
  roundTrip: z.object({ kept: z.boolean() }).optional(),
});

export type LabelMode = "graded" | "utility";

export interface LlmJudgment {
  docId: string;
  /** Graded: the grade; utility: 1 when selected, 0 when not. */
  grade: number;
  /** The LLM judged the passage relevant in any way (grade >= 1, RelSel or utility selected). */
  relevant: boolean;
}

export interface LabelFileStats {
  lines: number;
  used: number;
  failed: number;
  /** Labels of another kind than the mode reads (e.g. relevance labels in utility mode). */
  otherKind: number;
  outsideTrainingSet: number;
}

export interface LlmLabels {
  file: string;
  /** query id -> doc id -> judgment */
  judgments: Map<string, Map<string, LlmJudgment>>;
  stats: LabelFileStats;
}

export async function labelsFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new InputError({ file: path }, "label file not found");
  return info.isDirectory() ? join(path, "labels.jsonl") : path;
}

export async function readLlmLabels(
  path: string,
  mode: LabelMode,
  collection: Collection,
  training: { has(queryId: string): boolean; known(queryId: string): boolean },
): Promise<LlmLabels> {
  const file = await labelsFile(path);
  const text = await readFile(file, "utf8");
  const judgments = new Map<string, Map<string, LlmJudgment>>();
  const stats: LabelFileStats = { lines: 0, used: 0, failed: 0, otherKind: 0, outsideTrainingSet: 0 };
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === "") continue;
    const line = i + 1;
    stats.lines++;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw new InputError({ file, line }, `invalid JSON: ${(cause as Error).message}`, { cause });
    }
    const parsed = labelLine.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError({ file, line, field: issue.path.join(".") || "(root)" }, issue.message);
    }
    const label = parsed.data;
    if (label.kind === "document") {
      stats.otherKind++;
      continue;
    }
    if (!training.known(label.queryId))
      throw new InputError({ file, line, field: "queryId" }, `unknown query id "${label.queryId}"`);
    if (!collection.docs.has(label.docId))
      throw new InputError({ file, line, field: "docId" }, `unknown document id "${label.docId}"`);
    if (label.status === "failed") {
      stats.failed++;
      continue;
    }
    if (!training.has(label.queryId)) {
      stats.outsideTrainingSet++;
      continue;
    }
    const judgment = judgmentOf(label, mode);
    if (judgment === undefined) {
      stats.otherKind++;
      continue;
    }
    let row = judgments.get(label.queryId);
    if (!row) judgments.set(label.queryId, (row = new Map()));
    const prev = row.get(label.docId);
    // Two labels of one pair (e.g. RelSel and UtilSel rows): keep the stronger.
    if (!prev || judgment.grade > prev.grade)
      row.set(label.docId, { ...judgment, relevant: judgment.relevant || !!prev?.relevant });
    stats.used++;
  }
  return { file, judgments, stats };
}

function judgmentOf(label: z.infer<typeof labelLine>, mode: LabelMode): LlmJudgment | undefined {
  if (label.kind === "query") {
    // A synthetic query's own passage: positive unless the round-trip filter rejected the query.
    if (label.roundTrip?.kept === false) return undefined;
    return { docId: label.docId, grade: 1, relevant: true };
  }
  if (mode === "graded") {
    if (label.kind !== "relevance" || label.grade === undefined) return undefined;
    return { docId: label.docId, grade: label.grade, relevant: label.grade >= 1 };
  }
  if (label.kind !== "utility") return undefined;
  return {
    docId: label.docId,
    grade: label.utility ? 1 : 0,
    relevant: label.utility === true || label.relevant === true,
  };
}
