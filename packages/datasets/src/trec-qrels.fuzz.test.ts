/**
 * Property-based tests of the TREC qrels reader (fixed seed; FERRET_FUZZ_RUNS for more): any text reads
 * or fails with an InputError naming the file and a line in it, alike from a file and from memory; what
 * writeTrecQrels writes reads back identical; a corrupted line is the line the error names.
 */
import { readFile } from "node:fs/promises";
import fc from "fast-check";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrecQrels, readTrecQrels } from "./trec-qrels.js";
import { writeTrecQrels } from "./trec-writers.js";
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

const relevance = fc.oneof(
  fc.integer({ min: -3, max: 4 }).map(String),
  fc.constantFrom("9007199254740993", "1.0", "+2", "-0", "0x1", "1e2", "", "２"),
  trickyText(3),
);
const qrelsLine = fc.oneof(
  fc.tuple(token(3), fc.constantFrom("0", "Q0"), token(3), relevance).map((cols) => cols.join(" ")),
  fc
    .tuple(fc.array(fc.oneof(token(3), trickyText(3)), { maxLength: 6 }), fc.constantFrom(" ", "\t"))
    .map(([cols, separator]) => cols.join(separator)),
  trickyText(12),
);

describe("TREC qrels reader, fuzzed", () => {
  it(
    "reads any text or rejects it with an InputError naming the file and a line in it; memory and file agree",
    async () => {
      await fc.assert(
        fc.asyncProperty(linesText(qrelsLine), async (text) => {
          const path = await caseFile(tmp.dir, "qrels", text);
          const result = await readTrecQrels(path).catch((err: unknown) => {
            const error = assertLocatedInputError(err, path);
            expect(error.line).toBeLessThanOrEqual(text.split("\n").length);
            expect(() => parseTrecQrels(text, { file: path })).toThrow(error.message);
            return undefined;
          });
          if (result !== undefined) {
            expect(parseTrecQrels(text, { file: path })).toEqual(result);
            for (const docs of result.qrels.values())
              for (const rel of docs.values()) expect(Number.isSafeInteger(rel)).toBe(true);
          }
          const lenient = await readTrecQrels(path, { lenient: true });
          expect(lenient).toEqual(parseTrecQrels(text, { file: path, lenient: true }));
        }),
        fuzzParameters(100),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "reads back exactly what writeTrecQrels wrote",
    async () => {
      const qid = fc.oneof(
        { weight: 9, arbitrary: token(4) },
        { weight: 1, arbitrary: token(3).map((t) => `#${t}`) },
      );
      const judgment = fc.tuple(qid, token(4), fc.integer({ min: -5, max: 5 }));
      await fc.assert(
        fc.asyncProperty(fc.array(judgment, { maxLength: 20 }), async (judgments) => {
          const qrels: Qrels = new Map();
          for (const [q, d, r] of judgments) {
            const docs = qrels.get(q) ?? new Map<string, number>();
            if (!docs.has(d)) docs.set(d, r);
            qrels.set(q, docs);
          }
          const path = await caseFile(tmp.dir, "qrels", "before");
          if ([...qrels.keys()].some((q) => q.startsWith("#"))) {
            // Such a line is a comment to trec_eval 10.0: the writer refuses rather than lose it.
            await expect(writeTrecQrels(path, qrels)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
            expect(await readFile(path, "utf8")).toBe("before");
            return;
          }
          await writeTrecQrels(path, qrels);
          expect((await readTrecQrels(path)).qrels).toEqual(qrels);
        }),
        fuzzParameters(40),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "names the corrupted line and its field",
    async () => {
      const corruption = fc.constantFrom(
        { line: "q 0 d high", field: "relevance" },
        { line: "q 0 d", field: undefined },
        { line: "q 0 d 1 1", field: undefined },
        { line: "q-dup 0 d-dup 2", field: "docid" },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(token(3), { minLength: 1, maxLength: 10 }),
          fc.nat(),
          corruption,
          async (ids, at, bad) => {
            const lines = ["q-dup 0 d-dup 1", ...ids.map((q, i) => `q${q} 0 d${i} ${i % 3}`)];
            const k = 1 + (at % lines.length);
            lines.splice(k, 0, bad.line);
            const path = await caseFile(tmp.dir, "qrels", lines.join("\r\n"));
            const error = assertLocatedInputError(await readTrecQrels(path).catch((e: unknown) => e), path);
            expect(error.line).toBe(k + 1);
            expect(error.field).toBe(bad.field);
          },
        ),
        fuzzParameters(100),
      );
    },
    fuzzTimeout(60_000),
  );
});
