/**
 * fast-check building blocks for the readers' fuzz tests: text made of the characters line formats
 * trip over (separators, signs, exponents, comment and record markers, odd whitespace, a BOM, NUL,
 * astral and lone-surrogate code points), files of such lines, and byte chunkings.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";

const TRICKY = [
  " ",
  "\t",
  "\r",
  "\v",
  "\f",
  "\u00a0",
  "\u3000",
  "\ufeff",
  "\u0000",
  "#",
  "-",
  "+",
  ".",
  "e",
  "E",
  "0",
  "1",
  "9",
  "x",
  "Q0",
  "<",
  ">",
  "/",
  '"',
  "{",
  "}",
  ":",
  ",",
  "[",
  "]",
  "\\",
  "é",
  "\u{1d518}",
];

/** A short string of tricky characters and arbitrary code points (lone surrogates included). */
export function trickyText(maxLength = 8): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 3, unit: "binary" })), { maxLength })
    .map((parts) => parts.join(""));
}

/** A token without JavaScript whitespace (`\S+`): the ids the writers accept. */
export function token(maxLength = 6): fc.Arbitrary<string> {
  return fc.string({ minLength: 1, maxLength, unit: "grapheme" }).filter((s) => /^\S+$/.test(s));
}

/** Lines from `line`, joined by LF or CRLF, with or without a final newline. */
export function linesText(line: fc.Arbitrary<string>, maxLines = 12): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(line, { maxLength: maxLines }), fc.constantFrom("\n", "\r\n"), fc.boolean())
    .map(([lines, eol, final]) => lines.join(eol) + (final && lines.length > 0 ? eol : ""));
}

/** Splits bytes into 1..n chunks at arbitrary offsets (multi-byte characters and CRLF may be cut). */
export function chunked(bytes: Uint8Array): fc.Arbitrary<Uint8Array[]> {
  return fc
    .uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 6 })
    .map((cuts) => {
      const offsets = [0, ...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length];
      const chunks: Uint8Array[] = [];
      for (let i = 1; i < offsets.length; i++) chunks.push(bytes.subarray(offsets[i - 1], offsets[i]));
      return chunks;
    });
}

/** Writes one fuzz case's file under `dir` (a fresh name per case) and returns its path. */
let cases = 0;
export async function caseFile(dir: string, ext: string, text: string): Promise<string> {
  const path = join(dir, `case-${++cases}.${ext}`);
  await writeFile(path, text);
  return path;
}
