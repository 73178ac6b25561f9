/**
 * Property-based tests of the BEIR qrels (.tsv) reader (fixed seed; FERRET_FUZZ_RUNS for more): any text
 * reads or fails with an InputError naming the file and a line in it; what writeBeirQrels writes reads
 * back identical; a corrupted line is the line the error names, with its field.
 */
import { readFile } from "node:fs/promises";
import fc from "fast-check";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBeirQrelsWithStats } from "./beir-qrels.js";
import { writeBeirQrels } from "./beir-writers.js";
import { caseFile, linesText, token, trickyText } from "./test-support/fuzz-text.js";
import { tempDir } from "./test-support/paths.js";
import type { Qrels } from "./types.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const cell = fc.oneof(token(3), trickyText(3), fc.integer({ min: -2, max: 3 }).map(String));
const tsvLine = fc.oneof(
  fc.constant("query-id\tcorpus-id\tscore"),
  fc.array(cell, { maxLength: 5 }).map((cols) => cols.join("\t")),
  fc.array(cell, { maxLength: 5 }).map((cols) => cols.join(" ")),
  trickyText(12),
);
/** BEIR ids may hold spaces (not tabs or line breaks). */
const id = fc
  .string({ minLength: 1, maxLength: 5, unit: "grapheme" })
  .filter((s) => !/[\t\r\n]/.test(s) && s.trim() === s && s !== "");
/** Any id, including ones the writer must refuse (tabs, line breaks, surrounding whitespace). */
const anyId = fc.oneof(id, fc.string({ maxLength: 4, unit: "grapheme" }), trickyText(4));

describe("BEIR qrels reader, fuzzed", () => {
  it(
    "reads any text or rejects it with an InputError naming the file and a line in it",
    async () => {
      await fc.assert(
        fc.asyncProperty(linesText(tsvLine), async (text) => {
          const path = await caseFile(tmp.dir, "tsv", text);
          try {
            const { qrels } = await readBeirQrelsWithStats(path);
            for (const docs of qrels.values())
              for (const score of docs.values()) expect(Number.isSafeInteger(score)).toBe(true);
          } catch (err) {
            expect(assertLocatedInputError(err, path).line).toBeLessThanOrEqual(text.split("\n").length);
          }
          const { stats } = await readBeirQrelsWithStats(path, { lenient: true });
          expect(stats.records + stats.skipped).toBeLessThanOrEqual(stats.lines);
        }),
        fuzzParameters(100),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "reads back exactly what writeBeirQrels wrote, or the writer refuses and leaves the file",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(anyId, anyId, fc.integer({ min: -3, max: 3 })), { maxLength: 15 }),
          async (rows) => {
            const qrels: Qrels = new Map();
            for (const [q, d, s] of rows) {
              const docs = qrels.get(q) ?? new Map<string, number>();
              if (!docs.has(d)) docs.set(d, s);
              qrels.set(q, docs);
            }
            const path = await caseFile(tmp.dir, "tsv", "before");
            const written = await writeBeirQrels(path, qrels).then(
              () => true,
              (err: unknown) => {
                expect(err).toMatchObject({ code: "INVALID_ARGUMENT" });
                return false;
              },
            );
            // Refused: the file is untouched. Written: it reads back identical.
            if (!written) expect(await readFile(path, "utf8")).toBe("before");
            else expect((await readBeirQrelsWithStats(path)).qrels).toEqual(qrels);
          },
        ),
        fuzzParameters(40),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "names the corrupted line and its field",
    async () => {
      const corruption = fc.constantFrom(
        { line: "q\td\thigh", field: "score" },
        { line: "q\td\t1.5", field: "score" },
        { line: "\td\t1", field: "query-id" },
        { line: "q\t \t1", field: "corpus-id" },
        { line: "q\td", field: undefined },
        { line: "q\td\t1\t1", field: undefined },
        { line: "q-dup\td-dup\t0", field: "corpus-id" },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(id, { maxLength: 8 }), fc.nat(), corruption, async (ids, at, bad) => {
          const lines = [
            "query-id\tcorpus-id\tscore",
            "q-dup\td-dup\t1",
            ...ids.map((d, i) => `q\t${d}#${i}\t1`),
          ];
          const k = 2 + (at % (lines.length - 1));
          lines.splice(k, 0, bad.line);
          const path = await caseFile(tmp.dir, "tsv", lines.join("\n"));
          const error = assertLocatedInputError(
            await readBeirQrelsWithStats(path).catch((e: unknown) => e),
            path,
          );
          expect(error.line).toBe(k + 1);
          expect(error.field).toBe(bad.field);
        }),
        fuzzParameters(100),
      );
    },
    fuzzTimeout(60_000),
  );
});
