/**
 * Property-based tests of the LISA readers (documents over several files, LISA.QUE, LISA.REL,
 * LISARJ.NUM; fixed seed, FERRET_FUZZ_RUNS for more): any text reads or fails with an InputError naming
 * the file and a line in it (or, for an empty relevance file, the file); lenient reading never throws on
 * a line; well-formed records written in LISA's layout read back, and LISA.REL and LISARJ.NUM (wrapped
 * anywhere) give the same judgments.
 */
import fc from "fast-check";
import {
  assertLocatedInputError,
  assertTypedError,
  fuzzParameters,
  fuzzTimeout,
} from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLisaDocuments, readLisaNumQrels, readLisaQrels, readLisaQueries } from "./lisa.js";
import { caseFile, linesText, trickyText } from "./test-support/fuzz-text.js";
import { expectQrelsError, settle } from "./test-support/outcomes.js";
import { collect, tempDir } from "./test-support/paths.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const STARS = "*".repeat(44);
const word = fc.stringMatching(/^[A-Z0-9.,'()-]{1,6}$/);
const number = fc.nat(999).map(String);
const words = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(" "));
const lisaLine = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("Document", "Document ", "document", "Query", "Query\t", "Documents"),
      fc.oneof(number, fc.constant(""), trickyText(3)),
    )
    .map(([head, rest]) => `${head} ${rest}`),
  fc.constantFrom(
    STARS,
    "***",
    "**",
    "#",
    "-1",
    "Relevant Refs:",
    "2 Relevant Refs:",
    "0 Relevant Refs:",
    "1 -1",
  ),
  fc.array(fc.oneof(number, fc.constant("-1")), { minLength: 1, maxLength: 5 }).map((n) => n.join(" ")),
  words,
  words.map((w) => `${w} #`),
  trickyText(10),
);

describe("LISA readers, fuzzed", () => {
  it(
    "read any text or reject it with an InputError naming the file and a line in it",
    async () => {
      await fc.assert(
        fc.asyncProperty(linesText(lisaLine, 16), linesText(lisaLine, 8), async (text, more) => {
          const path = await caseFile(tmp.dir, "001", text);
          const second = await caseFile(tmp.dir, "501", more);
          const lines = text.split("\n").length;
          const docs = await settle(collect(readLisaDocuments([path, second])));
          if ("error" in docs) {
            const error = assertTypedError(docs.error);
            const file = error.details["file"] as string;
            expect([path, second]).toContain(file);
            assertLocatedInputError(error, file);
          } else expect(new Set(docs.value.map((d) => d.id)).size).toBe(docs.value.length);
          const lenientDocs = readLisaDocuments([path, second], { lenient: true });
          expect(await collect(lenientDocs)).toHaveLength(lenientDocs.stats.records);

          const queries = await settle(collect(readLisaQueries(path)));
          if ("error" in queries)
            expect(assertLocatedInputError(queries.error, path).line).toBeLessThanOrEqual(lines);
          const lenientQueries = readLisaQueries(path, { lenient: true });
          expect(await collect(lenientQueries)).toHaveLength(lenientQueries.stats.records);

          for (const read of [readLisaQrels, readLisaNumQrels]) {
            const strict = await settle(read(path));
            if ("error" in strict) expectQrelsError(strict.error, path, lines);
            const lenient = await settle(read(path, { lenient: true }));
            if ("error" in lenient) expectQrelsError(lenient.error, path, lines);
            else {
              // Every judgment kept is counted once; a rejected query leaves none behind.
              let kept = 0;
              for (const docs of lenient.value.qrels.values()) kept += docs.size;
              expect(lenient.value.stats.records).toBe(kept);
            }
          }
        }),
        fuzzParameters(150),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "read well-formed documents, queries and judgments back; LISA.REL and LISARJ.NUM agree",
    async () => {
      const doc = fc.record({
        number: fc.integer({ min: 1, max: 9999 }),
        title: fc.array(words, { minLength: 1, maxLength: 2 }),
        body: fc.array(words, { maxLength: 3 }),
      });
      const judged = fc.record({
        qid: fc.integer({ min: 1, max: 99 }),
        docs: fc.uniqueArray(fc.integer({ min: 1, max: 9999 }), { maxLength: 8 }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(doc, { selector: (d) => d.number, minLength: 1, maxLength: 6 }),
          fc.integer({ min: 0, max: 6 }),
          fc.uniqueArray(judged, { selector: (j) => j.qid, minLength: 1, maxLength: 5 }),
          fc.integer({ min: 1, max: 6 }),
          async (docs, split, judgments, width) => {
            const record = (d: (typeof docs)[number]) => [
              `Document  ${d.number}`,
              ...d.title,
              "",
              ...d.body,
              STARS,
            ];
            const cut = Math.min(split, docs.length);
            const files = [
              await caseFile(tmp.dir, "001", docs.slice(0, cut).flatMap(record).join("\n")),
              await caseFile(tmp.dir, "501", docs.slice(cut).flatMap(record).join("\n")),
            ];
            expect(await collect(readLisaDocuments(files))).toEqual(
              docs.map((d) => ({ id: String(d.number), title: d.title.join(" "), text: d.body.join(" ") })),
            );

            const que = docs.flatMap((d) => [String(d.number), ...d.title, `${d.body.join(" ")} #`]);
            expect(await collect(readLisaQueries(await caseFile(tmp.dir, "QUE", que.join("\n"))))).toEqual(
              docs.map((d) => ({
                id: String(d.number),
                text: [...d.title, d.body.join(" ")].join(" ").trim(),
              })),
            );

            const expected = new Map(
              judgments.map((j) => [String(j.qid), new Map(j.docs.map((d) => [String(d), 1]))]),
            );
            const rel = judgments.flatMap((j) => [
              `Query ${j.qid}`,
              `${j.docs.length} Relevant Refs:`,
              [...j.docs, -1].join(" "),
              "",
            ]);
            expect((await readLisaQrels(await caseFile(tmp.dir, "REL", rel.join("\n")))).qrels).toEqual(
              expected,
            );
            // LISARJ.NUM: the same numbers, right-aligned in 12 columns, `width` to a line.
            const numbers = judgments.flatMap((j) => [j.qid, j.docs.length, ...j.docs]);
            const num: string[] = [];
            for (let i = 0; i < numbers.length; i += width)
              num.push(
                numbers
                  .slice(i, i + width)
                  .map((n) => String(n).padStart(12))
                  .join(""),
              );
            expect((await readLisaNumQrels(await caseFile(tmp.dir, "NUM", num.join("\n")))).qrels).toEqual(
              expected,
            );
          },
        ),
        fuzzParameters(60),
      );
    },
    fuzzTimeout(60_000),
  );
});
