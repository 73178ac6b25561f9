import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { NotFoundError, InvalidArgumentError } from "@ferret/errors";

/**
 * Streams a text file as batches of lines. Hand-written instead of node:readline because
 * readline emits one event per line (several times slower on multi-GB files) and cannot tell
 * us the byte position for progress reporting. Handles LF and CRLF endings, a UTF-8 BOM and a
 * missing final newline; multi-byte characters split across chunks are kept whole.
 */
export interface LineBatch {
  /** Lines without their terminator. */
  lines: string[];
  /** 1-based number of lines[0] in the file. */
  firstLine: number;
}

const CHUNK_BYTES = 1 << 20;

export async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new InvalidArgumentError(`${path} is a directory, expected a file`);
    return info.size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new NotFoundError(`file not found: ${path}`, { cause: err, details: { file: path } });
    }
    throw err;
  }
}

export async function* readLineBatches(
  path: string,
  onProgress?: (bytesRead: number, totalBytes: number) => void,
): AsyncGenerator<LineBatch> {
  const total = await fileSize(path);
  yield* readLineBatchesFrom(
    createReadStream(path, { highWaterMark: CHUNK_BYTES }),
    onProgress === undefined ? undefined : (bytes) => onProgress(bytes, total),
  );
}

/**
 * Splits a stream of bytes (a file, a download, a gunzip stream) into batches of lines exactly as
 * readLineBatches splits a file. Errors of the source (e.g. a checksum failure at its end) propagate.
 */
export async function* readLineBatchesFrom(
  source: AsyncIterable<Uint8Array>,
  onProgress?: (bytesRead: number) => void,
): AsyncGenerator<LineBatch> {
  const decoder = new StringDecoder("utf8");
  let carry = "";
  let nextLine = 1;
  let bytes = 0;
  let atStart = true;
  for await (const chunk of source) {
    bytes += chunk.length;
    let text = carry + decoder.write(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    if (atStart && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      atStart = false;
    }
    const lines = text.split("\n");
    carry = lines.pop() ?? "";
    stripCarriageReturns(lines);
    if (lines.length > 0) {
      yield { lines, firstLine: nextLine };
      nextLine += lines.length;
    }
    onProgress?.(bytes);
  }
  const rest = carry + decoder.end();
  if (rest.length > 0) {
    const lines = [rest];
    stripCarriageReturns(lines);
    yield { lines, firstLine: nextLine };
  }
  if (bytes === 0) onProgress?.(0);
}

/** Splits in-memory text the same way readLineBatches splits a file. */
export function splitLines(text: string): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  stripCarriageReturns(lines);
  return lines;
}

function stripCarriageReturns(lines: string[]): void {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.charCodeAt(line.length - 1) === 13) lines[i] = line.slice(0, -1);
  }
}

/** True for an empty or whitespace-only line (skipped silently by every reader). */
export function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

/** Lines wrapped at a fixed width (card images) joined back into one text, whitespace runs as one space. */
export function unwrapLines(lines: readonly string[]): string {
  return lines.join(" ").replace(/\s+/g, " ").trim();
}
