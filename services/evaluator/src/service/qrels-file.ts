/**
 * Qrels files in either format Ferret meets: TREC qrels (`qid iteration docid relevance`, trec_eval's) or
 * BEIR qrels/<split>.tsv (`query-id corpus-id score`, usually under that header). The format is told by the
 * first non-blank line that is not a comment ('#', which trec_eval 10.0 skips): the BEIR header or three
 * columns mean BEIR, four mean TREC.
 */
import { open } from "node:fs/promises";
import {
  readBeirQrelsWithStats,
  readTrecQrels,
  type Qrels,
  type ReadOptions,
  type ReadStats,
} from "@ferret/datasets";
import { InputError, NotFoundError } from "@ferret/errors";

export type QrelsFormat = "trec" | "beir";

const PROBE_BYTES = 64 * 1024;

/** The format of qrels whose first non-blank line is `line` (undefined when it fits neither). */
export function qrelsFormatOfLine(line: string): QrelsFormat | undefined {
  const cols = line.includes("\t") ? line.split("\t").map((c) => c.trim()) : line.trim().split(/\s+/);
  if (cols.length === 3) return "beir";
  if (cols.length === 4) return "trec";
  return undefined;
}

/** Reads the start of `path` and tells its qrels format; an empty file counts as TREC. */
export async function detectQrelsFormat(path: string): Promise<QrelsFormat> {
  let head: string;
  try {
    const file = await open(path, "r");
    try {
      const buffer = Buffer.alloc(PROBE_BYTES);
      const { bytesRead } = await file.read(buffer, 0, PROBE_BYTES, 0);
      head = buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await file.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NotFoundError(`file not found: ${path}`, { cause: err, details: { file: path } });
    }
    throw err;
  }
  const lines = head.replace(/^\ufeff/, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, "");
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const format = qrelsFormatOfLine(line);
    if (format === undefined) {
      throw new InputError(
        { file: path, line: i + 1 },
        "not qrels: expected 4 columns (TREC: qid iteration docid relevance) or 3 (BEIR: query-id corpus-id score)",
      );
    }
    return format;
  }
  return "trec";
}

export interface QrelsFileResult {
  qrels: Qrels;
  stats: ReadStats;
  format: QrelsFormat;
}

/** Reads TREC or BEIR qrels, whichever the file holds. */
export async function readQrelsFile(path: string, options: ReadOptions = {}): Promise<QrelsFileResult> {
  const format = await detectQrelsFormat(path);
  const { qrels, stats } =
    format === "beir" ? await readBeirQrelsWithStats(path, options) : await readTrecQrels(path, options);
  return { qrels, stats, format };
}
