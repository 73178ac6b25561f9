/**
 * Property-based tests of the TREC run reader (fuzz-parameters: fixed seed, FERRET_FUZZ_RUNS for more):
 * any text reads or fails with an InputError naming the file and a line inside it; a file and the
 * same text in memory read alike; what writeTrecRun writes reads back identical; a corrupted line is
 * the line the error names, with its field.
 */
import { readFile, readdir } from "node:fs/promises";
import fc from "fast-check";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTrecRun, readTrecRun } from "./trec-run.js";
import { writeTrecRun } from "./trec-writers.js";
import { caseFile, linesText, token, trickyText } from "./test-support/fuzz-text.js";
import { tempDir } from "./test-support/paths.js";
import type { Run } from "./types.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const score = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => String(x === 0 ? 0 : x)),
  fc.constantFrom("1e308", "-0", "+1", ".5", "5.", "1E-5", "0x10", "Infinity", "NaN", "1e400", "", "1..2"),
  trickyText(4),
);
const column = fc.oneof(token(4), trickyText(4));
/** Run-like lines: six columns (some fields odd), too few or too many, comments and noise. */
const runLine = fc.oneof(
  fc
    .tuple(token(3), fc.constantFrom("Q0", "0"), token(3), fc.nat(), score, token(3))
    .map((cols) => cols.join(" ")),
  fc
    .tuple(fc.array(column, { maxLength: 8 }), fc.constantFrom(" ", "\t", " \t "))
    .map(([cols, separator]) => cols.join(separator)),
  trickyText(16),
);

function runOf(entries: [string, string, number][]): Run {
  const run: Run = new Map();
  for (const [q, d, s] of entries) {
    const docs = run.get(q) ?? new Map<string, number>();
    if (!docs.has(d)) docs.set(d, s);
    run.set(q, docs);
  }
  return run;
}

describe("TREC run reader, fuzzed", () => {
  it(
    "reads any text or rejects it with an InputError naming the file and a line in it; memory and file agree",
    async () => {
      await fc.assert(
        fc.asyncProperty(linesText(runLine), async (text) => {
          const path = await caseFile(tmp.dir, "run", text);
          const lines = text.split("\n").length;
          let fromFile: Awaited<ReturnType<typeof readTrecRun>> | undefined;
          try {
            fromFile = await readTrecRun(path);
          } catch (err) {
            const error = assertLocatedInputError(err, path);
            expect(error.line).toBeGreaterThanOrEqual(1);
            expect(error.line).toBeLessThanOrEqual(lines);
            expect(() => parseTrecRun(text, { file: path })).toThrow(error.message);
          }
          if (fromFile !== undefined) expect(parseTrecRun(text, { file: path })).toEqual(fromFile);
          // Lenient reading never throws and accounts for every line.
          const lenient = await readTrecRun(path, { lenient: true });
          expect(lenient.stats.records + lenient.stats.skipped).toBeLessThanOrEqual(lenient.stats.lines);
          expect(lenient).toEqual(parseTrecRun(text, { file: path, lenient: true }));
        }),
        fuzzParameters(100),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "reads back exactly what writeTrecRun wrote, and a failed write leaves the old file byte-identical",
    async () => {
      const qid = fc.oneof(
        { weight: 9, arbitrary: token(4) },
        { weight: 1, arbitrary: token(3).map((t) => `#${t}`) },
      );
      const entry = fc.tuple(qid, token(4), fc.double({ noNaN: true, noDefaultInfinity: true }));
      await fc.assert(
        fc.asyncProperty(fc.array(entry, { maxLength: 20 }), token(4), async (entries, tag) => {
          const run = runOf(entries.map(([q, d, s]) => [q, d, s === 0 ? 0 : s]));
          const path = await caseFile(tmp.dir, "run", "before");
          if ([...run.keys()].some((q) => q.startsWith("#"))) {
            // Such a line is a comment to trec_eval 10.0: the writer refuses rather than lose it.
            await expect(writeTrecRun(path, run, { tag })).rejects.toMatchObject({
              code: "INVALID_ARGUMENT",
            });
            expect(await readFile(path, "utf8")).toBe("before");
            return;
          }
          await writeTrecRun(path, run, { tag });
          const back = await readTrecRun(path);
          expect(back.run).toEqual(run);
          expect(back.name).toBe(run.size > 0 ? tag : undefined);
          // A run the writer must refuse (a non-finite score) does not touch the file already there.
          const before = await readFile(path);
          const bad = runOf([
            ...entries.map(([q, d]) => [q, d, 1] as [string, string, number]),
            ["q", "d", NaN],
          ]);
          bad.set("q", new Map([["d", NaN]]));
          await expect(writeTrecRun(path, bad, { tag })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
          expect(await readFile(path)).toEqual(before);
          expect((await readdir(tmp.dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
        }),
        fuzzParameters(40),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "names the corrupted line and its field",
    async () => {
      const valid = fc.array(fc.tuple(token(3), token(3)), { minLength: 1, maxLength: 10 });
      const corruption = fc.constantFrom(
        { make: (q: string, d: string) => `${q} Q0 ${d} 1 high tag`, field: "score" },
        { make: (q: string, d: string) => `${q} Q0 ${d} 1 1.0`, field: undefined },
        { make: (q: string, d: string) => `${q} Q0 ${d} 1 1.0 tag extra`, field: undefined },
        { make: () => "q-dup Q0 d-dup 1 1 tag", field: "docid" },
      );
      await fc.assert(
        fc.asyncProperty(valid, fc.nat(), corruption, async (pairs, at, bad) => {
          const lines = pairs.map(([q, d], i) => `${q} Q0 ${d}#${i} ${i + 1} ${-i} tag`);
          lines.unshift("q-dup Q0 d-dup 1 1 tag");
          const k = 1 + (at % lines.length);
          lines.splice(k, 0, bad.make("q", "d"));
          const path = await caseFile(tmp.dir, "run", lines.join("\n"));
          const err = await readTrecRun(path).then(
            () => undefined,
            (e: unknown) => e,
          );
          const error = assertLocatedInputError(err, path);
          expect(error.line).toBe(k + 1);
          expect(error.field).toBe(bad.field);
        }),
        fuzzParameters(100),
      );
    },
    fuzzTimeout(60_000),
  );
});
