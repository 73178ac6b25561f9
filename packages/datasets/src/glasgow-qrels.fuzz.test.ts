/**
 * Property-based tests of the Glasgow relevance readers, the 4-column layouts (readGlasgowQrels) and
 * Cranfield's cranqrel (readCranfieldQrels), plus the collection manifest (fixed seed; FERRET_FUZZ_RUNS
 * for more): any text reads or fails with an InputError naming the file and its line or field; a
 * corrupted line is the line the error names.
 */
import fc from "fast-check";
import {
  assertLocatedInputError,
  assertTypedError,
  fuzzParameters,
  fuzzTimeout,
} from "@ferret/errors/testing";
import { mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCranfieldQrels } from "./cranfield.js";
import { readGlasgowQrels } from "./glasgow-qrels.js";
import { GLASGOW_MANIFEST, openGlasgowCollection, readGlasgowManifest } from "./glasgow-collection.js";
import { caseFile, linesText, trickyText } from "./test-support/fuzz-text.js";
import { settle } from "./test-support/outcomes.js";
import { collect, tempDir } from "./test-support/paths.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const number = fc.oneof(
  fc.integer({ min: -2, max: 400 }).map(String),
  fc.constantFrom("0", "00", "01", "0.000000", "-1", "5", "6", "1.5", "x", "9007199254740993"),
  trickyText(3),
);
const qrelsLine = fc.oneof(
  fc.array(number, { minLength: 3, maxLength: 4 }).map((cols) => cols.join(" ")),
  fc.array(number, { maxLength: 6 }).map((cols) => cols.join("\t")),
  trickyText(10),
);

describe("Glasgow relevance readers, fuzzed", () => {
  it(
    "read any text or reject it with an InputError naming the file (and the line, for a bad line)",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          linesText(qrelsLine),
          fc.constantFrom(undefined, "pairs", "trec"),
          async (text, layout) => {
            const path = await caseFile(tmp.dir, "REL", text);
            const lines = text.split("\n").length;
            const glasgow = await settle(readGlasgowQrels(path, layout === undefined ? {} : { layout }));
            // "no relevance judgments" is about the whole file; every other rejection names a line.
            if (
              "error" in glasgow &&
              assertTypedError(glasgow.error, { file: path }).message.endsWith("no relevance judgments")
            )
              expect(text.trim()).toBe("");
            else if ("error" in glasgow)
              expect(assertLocatedInputError(glasgow.error, path).line).toBeLessThanOrEqual(lines);
            const cranfield = await settle(readCranfieldQrels(path));
            if ("error" in cranfield)
              expect(assertLocatedInputError(cranfield.error, path).line).toBeLessThanOrEqual(lines);
            else
              for (const docs of cranfield.value.qrels.values())
                for (const grade of docs.values()) expect([0, 1, 2, 3, 4]).toContain(grade);
          },
        ),
        fuzzParameters(150),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "name the corrupted line of a cranqrel file and its field",
    async () => {
      const corruption = fc.constantFrom(
        { line: "1 2 7", field: "code" },
        { line: "1 2 one", field: "code" },
        { line: "1 2", field: undefined },
        { line: "9 9 1", field: "docid" },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 10 }),
          fc.nat(),
          corruption,
          async (codes, at, bad) => {
            const lines = ["9 9 2", ...codes.map((c, i) => `1 ${100 + i} ${c === 5 ? -1 : c}`)];
            const k = 1 + (at % lines.length);
            lines.splice(k, 0, bad.line);
            const path = await caseFile(tmp.dir, "cranqrel", lines.join("\n"));
            const outcome = await settle(readCranfieldQrels(path));
            const error = assertLocatedInputError("error" in outcome ? outcome.error : outcome, path);
            expect(error.line).toBe(k + 1);
            expect(error.field).toBe(bad.field);
          },
        ),
        fuzzParameters(60),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "read any glasgow.json manifest or reject it with an InputError naming the manifest and the field",
    async () => {
      const value = fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.jsonValue({ maxDepth: 1 }),
        fc.constantFrom("cranfield", "pairs", "trec", "npl", "record", "ordinal", "d.ALL", "q.QRY", "r.REL"),
      );
      // The files a manifest may name: Glasgow ".I" records, NPL "/" records or relevance lines, or noise.
      const content = linesText(
        fc.oneof(
          fc.constantFrom(
            ".I 1",
            ".I 2",
            ".W",
            ".T",
            "/",
            "   /",
            "1",
            "2",
            "1 2",
            "1 2 3",
            "1 0 2 1",
            "1 2 0 0",
          ),
          fc.array(number, { minLength: 1, maxLength: 4 }).map((cols) => cols.join(" ")),
          trickyText(8),
        ),
        10,
      );
      const manifest = fc.oneof(
        fc
          .record(
            {
              documents: value,
              queries: value,
              qrels: value,
              qrelsFormat: value,
              queryIds: value,
              extra: value,
            },
            { requiredKeys: [] },
          )
          .map((obj) => JSON.stringify(obj)),
        fc
          .record({ qrelsFormat: value, queryIds: value }, { requiredKeys: [] })
          .map((obj) => JSON.stringify({ documents: "d.ALL", queries: "q.QRY", qrels: "r.REL", ...obj })),
        fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? ""),
        trickyText(12),
      );
      await fc.assert(
        fc.asyncProperty(manifest, content, content, content, async (text, docs, queries, qrels) => {
          const dir = await mkdtemp(join(tmp.dir, "manifest-"));
          const path = join(dir, GLASGOW_MANIFEST);
          await writeFile(path, text);
          await writeFile(join(dir, "d.ALL"), docs);
          await writeFile(join(dir, "q.QRY"), queries);
          await writeFile(join(dir, "r.REL"), qrels);
          const read = await settle(readGlasgowManifest(dir));
          if ("error" in read) {
            assertTypedError(read.error, { file: path });
            return;
          }
          // A manifest that reads names three files; opening and reading them gives records or typed errors.
          expect(typeof read.value.documents).toBe("string");
          const opened = await settle(openGlasgowCollection(read.value));
          if ("error" in opened) {
            assertTypedError(opened.error);
            return;
          }
          const collection = opened.value;
          for (const outcome of [
            await settle(collect(collection.documents())),
            await settle(collect(collection.queries())),
            await settle(collection.qrels()),
          ])
            if ("error" in outcome) assertTypedError(outcome.error);
        }),
        fuzzParameters(150),
      );
    },
    fuzzTimeout(60_000),
  );
});
