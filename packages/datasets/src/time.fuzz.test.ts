/**
 * Property-based tests of the TIME readers (TIME.ALL, TIME.QUE, TIME.REL; fixed seed, FERRET_FUZZ_RUNS
 * for more): any text reads or fails with an InputError naming the file and a line in it (or, for an
 * empty relevance file, the file); lenient reading never throws on a line; well-formed records and
 * judgments written in TIME's layout read back; a bad document number is the line and field named.
 */
import fc from "fast-check";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTimeDocuments, readTimeQrels, readTimeQueries } from "./time.js";
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

const word = fc.stringMatching(/^[A-Z0-9.,'-]{1,6}$/);
const number = fc.nat(999).map(String);
const timeLine = fc.oneof(
  fc
    .tuple(
      fc.constantFrom("*TEXT", "*FIND", "*STOP", "*TEXT ", "*text", " *TEXT", "*TEXTS", "*", "*FIND\t"),
      fc.oneof(
        fc.constant(""),
        number,
        number.map((n) => `${n.padStart(3, "0")} 01/04/63 PAGE 020`),
        trickyText(4),
      ),
    )
    .map(([marker, rest]) => (rest === "" ? marker : `${marker} ${rest}`)),
  fc.array(number, { minLength: 1, maxLength: 5 }).map((n) => n.join(" ")),
  fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(" ")),
  trickyText(10),
);

describe("TIME readers, fuzzed", () => {
  it(
    "read any text or reject it with an InputError naming the file and a line in it",
    async () => {
      await fc.assert(
        fc.asyncProperty(linesText(timeLine, 16), async (text) => {
          const path = await caseFile(tmp.dir, "ALL", text);
          const lines = text.split("\n").length;
          for (const read of [readTimeDocuments, readTimeQueries]) {
            const outcome = await settle(collect(read(path)));
            if ("error" in outcome)
              expect(assertLocatedInputError(outcome.error, path).line).toBeLessThanOrEqual(lines);
            else expect(new Set(outcome.value.map((r) => r.id)).size).toBe(outcome.value.length);
            const lenient = read(path, { lenient: true });
            expect(await collect(lenient)).toHaveLength(lenient.stats.records);
          }
          const strict = await settle(readTimeQrels(path));
          if ("error" in strict) expectQrelsError(strict.error, path, lines);
          const lenient = await settle(readTimeQrels(path, { lenient: true }));
          if ("error" in lenient) expectQrelsError(lenient.error, path, lines);
        }),
        fuzzParameters(150),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "read well-formed articles, queries and judgments back, and name a bad document number's line",
    async () => {
      const body = fc.array(fc.array(word, { minLength: 1, maxLength: 5 }), { maxLength: 3 });
      const article = fc.record({ number: fc.integer({ min: 1, max: 999 }), body });
      const judged = fc.record({
        qid: fc.integer({ min: 1, max: 99 }),
        docs: fc.uniqueArray(fc.integer({ min: 1, max: 999 }), { maxLength: 6 }),
      });
      const pad = fc.nat(3).map((n) => " ".repeat(n + 1));
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(article, { selector: (a) => a.number, maxLength: 5 }),
          fc.uniqueArray(judged, { selector: (j) => j.qid, minLength: 1, maxLength: 5 }),
          fc.boolean(),
          pad,
          async (articles, judgments, stop, gap) => {
            const text = (b: string[][]) => b.map((w) => w.join(" ")).join(" ");
            const all = [
              ...articles.flatMap((a) => [
                `*TEXT ${String(a.number).padStart(3, "0")} 01/04/63 PAGE ${String(a.number % 100).padStart(3, "0")}`,
                "",
                ...a.body.flatMap((w) => [w.join(" "), ""]),
              ]),
              ...(stop ? ["*STOP"] : []),
            ];
            const docsPath = await caseFile(tmp.dir, "ALL", all.join("\n"));
            expect(await collect(readTimeDocuments(docsPath))).toEqual(
              articles.map((a, i) => ({
                id: String(i + 1),
                title: "",
                text: text(a.body),
                metadata: {
                  textNumber: String(a.number).padStart(3, "0"),
                  date: "01/04/63",
                  page: String(a.number % 100).padStart(3, "0"),
                },
              })),
            );
            const que = articles.flatMap((a) => [`*FIND${gap}${a.number}`, "", ` ${text(a.body)}`, ""]);
            const queriesPath = await caseFile(tmp.dir, "QUE", [...que, "*STOP"].join("\n"));
            expect(await collect(readTimeQueries(queriesPath))).toEqual(
              articles.map((a) => ({ id: String(a.number), text: text(a.body) })),
            );
            const rel = judgments.map((j) => [j.qid, ...j.docs].map((n) => String(n).padStart(3)).join(gap));
            const relPath = await caseFile(tmp.dir, "REL", rel.join("\n\n"));
            expect((await readTimeQrels(relPath)).qrels).toEqual(
              new Map(judgments.map((j) => [String(j.qid), new Map(j.docs.map((d) => [String(d), 1]))])),
            );
            // A document number that is not one: the error names its line and the docid field.
            const at = judgments.length - 1;
            const bad = [...rel];
            bad[at] = `${bad[at]} 1x`;
            const badPath = await caseFile(tmp.dir, "REL", bad.join("\n\n"));
            const outcome = await settle(readTimeQrels(badPath));
            const error = assertLocatedInputError("error" in outcome ? outcome.error : outcome, badPath);
            expect([error.line, error.field]).toEqual([2 * at + 1, "docid"]);
          },
        ),
        fuzzParameters(60),
      );
    },
    fuzzTimeout(60_000),
  );
});
