/**
 * Property-based tests of the NPL readers ("/"-terminated numbered records and relevance lists; fixed
 * seed, FERRET_FUZZ_RUNS for more): any text reads or fails with an InputError naming the file and a
 * line in it; well-formed records and relevance lists read back; a bad document number is the line and
 * field the error names.
 */
import fc from "fast-check";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readNplDocuments, readNplQrels, readNplQueries } from "./npl.js";
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

const word = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const nplLine = fc.oneof(
  fc.constantFrom("/", "   /", "/ /", "1", "  2  ", "01", "1 2", "-1", "x"),
  fc.array(fc.nat(99).map(String), { minLength: 1, maxLength: 4 }).map((n) => n.join(" ")),
  fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(" ")),
  trickyText(10),
);

describe("NPL readers, fuzzed", () => {
  it(
    "read any text or reject it with an InputError naming the file and a line in it",
    async () => {
      await fc.assert(
        fc.asyncProperty(linesText(nplLine, 16), async (text) => {
          const path = await caseFile(tmp.dir, "npl", text);
          const lines = text.split("\n").length;
          const outcomes = [
            await settle(collect(readNplDocuments(path))),
            await settle(collect(readNplQueries(path))),
            await settle(readNplQrels(path)),
          ];
          for (const outcome of outcomes)
            if ("error" in outcome)
              expect(assertLocatedInputError(outcome.error, path).line).toBeLessThanOrEqual(lines);
          const lenient = readNplDocuments(path, { lenient: true });
          expect(await collect(lenient)).toHaveLength(lenient.stats.records);
          await readNplQrels(path, { lenient: true });
        }),
        fuzzParameters(150),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "read well-formed records and relevance lists back, and name a bad document number's line",
    async () => {
      const record = fc.record({
        text: fc.array(fc.array(word, { minLength: 1, maxLength: 4 }), { maxLength: 3 }),
        docs: fc.uniqueArray(fc.integer({ min: 1, max: 999 }), { maxLength: 6 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(record, { maxLength: 5 }), fc.boolean(), async (records, indent) => {
          const slash = indent ? "   /" : "/";
          const docsPath = await caseFile(
            tmp.dir,
            "npl",
            records.flatMap((r, i) => [String(i + 1), ...r.text.map((w) => w.join(" ")), slash]).join("\n"),
          );
          expect(await collect(readNplDocuments(docsPath))).toEqual(
            records.map((r, i) => ({
              id: String(i + 1),
              title: "",
              text: r.text.map((w) => w.join(" ")).join(" "),
            })),
          );
          const qrelsLines = records.flatMap((r, i) => [
            String(i + 1),
            ...(r.docs.length ? [r.docs.join(" ")] : []),
            slash,
          ]);
          const qrelsPath = await caseFile(tmp.dir, "npl", qrelsLines.join("\n"));
          expect((await readNplQrels(qrelsPath)).qrels).toEqual(
            new Map(records.map((r, i) => [String(i + 1), new Map(r.docs.map((d) => [String(d), 1]))])),
          );
          if (records.length === 0) return;
          // A document number that is not one: the error names its line and the docid field.
          const bad = [...qrelsLines];
          const at = bad.indexOf(String(records.length)) + 1;
          bad.splice(at, 0, "12 x3");
          const badPath = await caseFile(tmp.dir, "npl", bad.join("\n"));
          const outcome = await settle(readNplQrels(badPath));
          const error = assertLocatedInputError("error" in outcome ? outcome.error : outcome, badPath);
          expect(error.line).toBe(at + 1);
          expect(error.field).toBe("docid");
        }),
        fuzzParameters(60),
      );
    },
    fuzzTimeout(60_000),
  );
});
