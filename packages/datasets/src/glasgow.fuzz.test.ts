/**
 * Property-based tests of the Glasgow (SMART) record readers (fixed seed; FERRET_FUZZ_RUNS for more): any
 * text reads or fails with an InputError naming the file and a line in it; well-formed records read back
 * with their ids and whitespace-normalised fields; lenient reading never throws.
 */
import fc from "fast-check";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readGlasgowDocuments, readGlasgowQueries, readGlasgowRecords } from "./glasgow.js";
import { caseFile, linesText, trickyText } from "./test-support/fuzz-text.js";
import { collect, tempDir } from "./test-support/paths.js";
import type { ReadOptions, RecordStream } from "./types.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const word = fc.stringMatching(/^[A-Za-z0-9,()'-][^\s]{0,6}$/);
const fieldLine = fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join(" "));
const glasgowLine = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(".I", ".I ", ".I\t", ".T", ".W", ".A", ".B", ".X", ".i", ". I", ".II"),
      fc.oneof(fc.constant(""), fc.nat(999).map(String), trickyText(4)),
    )
    .map(([marker, rest]) => marker + (rest === "" ? "" : ` ${rest}`)),
  fieldLine,
  trickyText(12),
);

describe("Glasgow record readers, fuzzed", () => {
  it(
    "read any text or reject it with an InputError naming the file and a line in it",
    async () => {
      await fc.assert(
        fc.asyncProperty(linesText(glasgowLine, 16), async (text) => {
          const path = await caseFile(tmp.dir, "ALL", text);
          const readers: ((path: string, opts?: ReadOptions) => RecordStream<{ id: string }>)[] = [
            readGlasgowRecords,
            readGlasgowDocuments,
            readGlasgowQueries,
          ];
          for (const read of readers) {
            try {
              const records = await collect(read(path));
              expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
            } catch (err) {
              expect(assertLocatedInputError(err, path).line).toBeLessThanOrEqual(text.split("\n").length);
            }
            const lenient = read(path, { lenient: true });
            expect(await collect(lenient)).toHaveLength(lenient.stats.records);
          }
        }),
        fuzzParameters(100),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "read well-formed records back",
    async () => {
      const record = fc.record({
        id: fc.stringMatching(/^[0-9A-Za-z_-]{1,5}$/),
        fields: fc.uniqueArray(
          fc.tuple(fc.constantFrom("T", "A", "B", "W", "X", "K"), fc.array(fieldLine, { maxLength: 3 })),
          {
            selector: ([letter]) => letter,
            maxLength: 5,
          },
        ),
      });
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(record, { selector: (r) => r.id, maxLength: 6 }), async (records) => {
          const lines = records.flatMap((r) => [
            `.I ${r.id}`,
            ...r.fields.flatMap(([letter, body]) => [`.${letter}`, ...body]),
          ]);
          const path = await caseFile(tmp.dir, "ALL", lines.join("\n"));
          const read = await collect(readGlasgowRecords(path));
          expect(read.map((r) => ({ id: r.id, fields: Object.fromEntries(r.fields) }))).toEqual(
            records.map((r) => ({
              id: r.id,
              fields: Object.fromEntries(
                r.fields.map(([letter, body]) => [letter, body.join(" ").replace(/\s+/g, " ").trim()]),
              ),
            })),
          );
          const queries = await collect(readGlasgowQueries(path, { ids: "ordinal" }));
          expect(queries.map((q) => q.id)).toEqual(records.map((_, i) => String(i + 1)));
        }),
        fuzzParameters(60),
      );
    },
    fuzzTimeout(60_000),
  );
});
