/**
 * Property-based tests of the LLM label file reader (labels.jsonl; fixed seed, FERRET_FUZZ_RUNS for
 * more): any file of label lines (valid, with a field removed or retyped, truncated JSON, arbitrary
 * text, ids that name nothing) either reads into judgments of training queries and corpus documents
 * whose counts add up, or fails with an InputError naming the file, a non-blank line in it and, for a
 * label of the wrong shape or an unknown id, the field; the file is unchanged afterwards.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { BeirDir, DocumentRecord, QueryRecord } from "@ferret/datasets";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Collection } from "./collection.js";
import { readLlmLabels } from "./label-file.js";

const DOCS = ["d1", "d2", "d3", "d4"];
const QUERIES = ["q1", "q2", "q3"];
const TRAINING = new Set(["q1", "q2"]);
const collection: Collection = {
  dir: { corpusPath: "corpus.jsonl" } as BeirDir,
  docs: new Map<string, DocumentRecord>(DOCS.map((id) => [id, { id, title: "", text: id }])),
  docIds: DOCS,
  queries: new Map<string, QueryRecord>(QUERIES.map((id) => [id, { id, text: id }])),
};
const training = { has: (q: string) => TRAINING.has(q), known: (q: string) => QUERIES.includes(q) };

const label = fc.record(
  {
    kind: fc.constantFrom("relevance", "utility", "query", "document"),
    queryId: fc.constantFrom(...QUERIES, "q9"),
    docId: fc.constantFrom(...DOCS, "d9"),
    status: fc.constantFrom("ok", "failed"),
    grade: fc.integer({ min: -1, max: 3 }),
    relevant: fc.boolean(),
    utility: fc.boolean(),
    roundTrip: fc.record({ kept: fc.boolean() }),
    steps: fc.constant([]),
  },
  { requiredKeys: ["kind", "queryId", "docId", "status"] },
);
const FIELDS = ["kind", "queryId", "docId", "status", "grade", "relevant", "utility", "roundTrip"];
const labelLine = fc.oneof(
  { weight: 4, arbitrary: label.map((l) => JSON.stringify(l)) },
  fc.tuple(label, fc.constantFrom(...FIELDS), fc.option(fc.jsonValue())).map(([l, field, value]) => {
    const copy: Record<string, unknown> = { ...l };
    if (value === null) delete copy[field];
    else copy[field] = value;
    return JSON.stringify(copy);
  }),
  label.map((l) => JSON.stringify(l)).chain((json) => fc.nat(json.length).map((cut) => json.slice(0, cut))),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? ""),
  fc.constantFrom(
    "",
    "   ",
    "{}",
    "[]",
    "null",
    '{"kind":"relevance"}',
    "1e999",
    // JSON.parse reads an out-of-range number as Infinity: not a grade.
    '{"kind":"relevance","queryId":"q1","docId":"d1","status":"ok","grade":1e999}',
  ),
  fc.string({ maxLength: 30 }),
);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "trainer-labels-fuzz-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let cases = 0;
describe("readLlmLabels, fuzzed", () => {
  it(
    "reads any label file into consistent judgments or an InputError naming the file and line, and leaves it as it was",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(labelLine, { maxLength: 12 }),
          fc.constantFrom("\n", "\r\n"),
          fc.constantFrom("graded" as const, "utility" as const),
          fc.boolean(),
          async (lines, eol, mode, asDir) => {
            const caseDir = join(dir, `case-${++cases}`);
            await mkdir(caseDir);
            const file = join(caseDir, "labels.jsonl");
            const text = lines.join(eol);
            await writeFile(file, text);
            try {
              const { judgments, stats } = await readLlmLabels(
                asDir ? caseDir : file,
                mode,
                collection,
                training,
              );
              expect(stats.lines).toBe(lines.filter((l) => l.trim() !== "").length);
              expect(stats.used + stats.failed + stats.otherKind + stats.outsideTrainingSet).toBe(
                stats.lines,
              );
              for (const [queryId, row] of judgments) {
                expect(TRAINING.has(queryId)).toBe(true);
                for (const [docId, j] of row) {
                  expect(DOCS).toContain(docId);
                  expect(Number.isFinite(j.grade)).toBe(true);
                }
              }
            } catch (err) {
              const error = assertLocatedInputError(err, file);
              expect(error.line).toBeDefined();
              expect(lines[error.line! - 1]?.trim()).not.toBe("");
            }
            expect(await readFile(file, "utf8")).toBe(text);
          },
        ),
        fuzzParameters(200),
      );
    },
    fuzzTimeout(60_000),
  );
});
