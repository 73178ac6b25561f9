/**
 * Property-based tests of the BEIR corpus.jsonl / queries.jsonl readers (fixed seed; FERRET_FUZZ_RUNS for
 * more): any text reads or fails with an InputError naming the file and a line in it; lenient reading
 * never throws; what the writers write reads back identical (any Unicode, lone surrogates included);
 * a corrupted line is the line the error names, with its field; bytes cut anywhere read alike.
 */
import { readFile } from "node:fs/promises";
import fc from "fast-check";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBeirCorpus, readBeirCorpusFrom, readBeirQueries } from "./beir-jsonl.js";
import { writeBeirCorpus, writeBeirQueries } from "./beir-writers.js";
import { caseFile, chunked, linesText, trickyText } from "./test-support/fuzz-text.js";
import { collect, tempDir } from "./test-support/paths.js";
import type { DocumentRecord } from "./types.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const anyJson = fc.jsonValue({ maxDepth: 2 });
/** Objects with the BEIR keys holding values of any JSON type, plus JSON that is not an object, plus noise. */
const jsonlLine = fc.oneof(
  fc
    .record({ _id: anyJson, title: anyJson, text: anyJson, metadata: anyJson }, { requiredKeys: [] })
    .map((obj) => JSON.stringify(obj)),
  fc.record({ _id: fc.string({ minLength: 1 }), text: fc.string() }).map((obj) => JSON.stringify(obj)),
  anyJson.map((value) => JSON.stringify(value) ?? "null"),
  trickyText(16),
);

const text = fc.string({ unit: "binary", maxLength: 12 });
const metadata = fc.option(fc.dictionary(fc.string({ maxLength: 4 }), anyJson, { maxKeys: 3 }), {
  nil: undefined,
});
const documents = fc.uniqueArray(
  fc.record({ id: fc.string({ unit: "binary", minLength: 1, maxLength: 6 }), title: text, text, metadata }),
  { selector: (d) => d.id, maxLength: 10 },
);

async function outcome<T>(stream: AsyncIterable<T>): Promise<{ records: T[] } | { error: unknown }> {
  try {
    return { records: await collect(stream) };
  } catch (error) {
    return { error };
  }
}

describe("BEIR JSONL readers, fuzzed", () => {
  it(
    "read any text or reject it with an InputError naming the file and a line in it",
    async () => {
      await fc.assert(
        fc.asyncProperty(linesText(jsonlLine), async (content) => {
          const path = await caseFile(tmp.dir, "jsonl", content);
          const lines = content.split("\n").length;
          for (const read of [readBeirCorpus, readBeirQueries]) {
            const result = await outcome(read(path));
            if ("error" in result) {
              const error = assertLocatedInputError(result.error, path);
              expect(error.line).toBeLessThanOrEqual(lines);
            } else {
              for (const record of result.records)
                expect(typeof record.id === "string" && record.id !== "").toBe(true);
            }
            const lenient = read(path, { lenient: true });
            const records = await collect(lenient);
            expect(records).toHaveLength(lenient.stats.records);
            expect(lenient.stats.records + lenient.stats.skipped).toBeLessThanOrEqual(lenient.stats.lines);
          }
        }),
        fuzzParameters(100),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "read back exactly what the writers wrote, and read the same bytes cut into any chunks",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          documents.chain((docs) => {
            const bytes = new Uint8Array(
              Buffer.from(
                docs.map((d) => JSON.stringify({ _id: d.id, title: d.title, text: d.text })).join("\n"),
              ),
            );
            return fc.tuple(fc.constant(docs), chunked(bytes));
          }),
          async ([docs, chunks]) => {
            const corpus = await caseFile(tmp.dir, "jsonl", "");
            const queries = await caseFile(tmp.dir, "jsonl", "");
            expect(await writeBeirCorpus(corpus, docs)).toBe(docs.length);
            await writeBeirQueries(
              queries,
              docs.map((d) => ({ id: d.id, text: d.text, metadata: d.metadata })),
            );
            // JSON.stringify writes lone surrogates as \\u escapes, so strings come back unchanged; metadata
            // is JSON (-0 reads back as 0); toEqual takes an absent metadata for an undefined one.
            const json = (d: DocumentRecord) => ({
              ...d,
              metadata: JSON.parse(JSON.stringify(d.metadata ?? null)) ?? undefined,
            });
            expect(await collect(readBeirCorpus(corpus))).toEqual(docs.map(json));
            expect(await collect(readBeirQueries(queries))).toEqual(
              docs.map((d) => ({ id: d.id, text: d.text, metadata: json(d).metadata })),
            );
            const streamed = await collect(
              readBeirCorpusFrom(async function* () {
                yield* chunks;
              }, "<stream>"),
            );
            expect(streamed).toEqual(docs.map((d) => ({ id: d.id, title: d.title, text: d.text })));
          },
        ),
        fuzzParameters(40),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "name the corrupted line and its field; a failed write leaves the old file byte-identical",
    async () => {
      const corruption = fc.constantFrom(
        { line: '{"title":"t","text":"x"}', field: "_id" },
        { line: '{"_id":"","text":"x"}', field: "_id" },
        { line: '{"_id":true,"text":"x"}', field: "_id" },
        { line: '{"_id":"d","text":null}', field: "text" },
        { line: '{"_id":"d","text":7}', field: "text" },
        { line: '{"_id":"d","title":[],"text":"x"}', field: "title" },
        { line: '{"_id":"d","text":"x","metadata":[1]}', field: "metadata" },
        { line: '{"_id":"d","text":"x"', field: undefined },
        { line: '["_id","text"]', field: undefined },
      );
      await fc.assert(
        fc.asyncProperty(documents, fc.nat(), corruption, async (docs, at, bad) => {
          const lines = docs.map((d) => JSON.stringify({ _id: d.id, title: d.title, text: d.text }));
          const k = at % (lines.length + 1);
          lines.splice(k, 0, bad.line);
          const path = await caseFile(tmp.dir, "jsonl", lines.join("\n"));
          const error = assertLocatedInputError(
            await outcome(readBeirCorpus(path)).then((r) => ("error" in r ? r.error : r)),
            path,
          );
          expect(error.line).toBe(k + 1);
          expect(error.field).toBe(bad.field);
          // Rewriting the file from a source that fails half-way leaves it as it was.
          const before = await readFile(path);
          async function* failing(): AsyncGenerator<DocumentRecord> {
            yield* docs;
            throw new Error("source failed");
          }
          await expect(writeBeirCorpus(path, failing())).rejects.toThrow("source failed");
          expect(await readFile(path)).toEqual(before);
        }),
        fuzzParameters(60),
      );
    },
    fuzzTimeout(60_000),
  );
});
