/**
 * Property-based tests of the TREC topics reader (fixed seed; FERRET_FUZZ_RUNS for more): any SGML-ish
 * text reads or fails with an InputError naming the file and a line in it; well-formed topics read back
 * with their number, title and description; lenient reading never throws.
 */
import fc from "fast-check";
import { assertLocatedInputError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTrecTopics } from "./trec-topics.js";
import { caseFile, linesText, trickyText } from "./test-support/fuzz-text.js";
import { tempDir } from "./test-support/paths.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9'-]{0,7}$/);
const words = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(" "));
const topicLine = fc.oneof(
  fc.constantFrom(
    "<top>",
    "</top>",
    " <TOP> ",
    "<num> Number: 301",
    "<num>",
    "<title>",
    "<desc> Description:",
    "<narr>",
    "</title>",
    "<num> 1 2",
  ),
  fc
    .tuple(fc.constantFrom("<num>", "<title>", "<desc>", "<narr>", "<x-y>", "<1>", "</num>"), trickyText(8))
    .map(([t, s]) => t + s),
  words,
  trickyText(12),
);

describe("TREC topics reader, fuzzed", () => {
  it(
    "reads any text or rejects it with an InputError naming the file and a line in it",
    async () => {
      await fc.assert(
        fc.asyncProperty(linesText(topicLine, 16), async (text) => {
          const path = await caseFile(tmp.dir, "topics", text);
          try {
            const { topics } = await readTrecTopics(path);
            expect(new Set(topics.map((t) => t.id)).size).toBe(topics.length);
            for (const t of topics) expect(t.id !== "" && t.text !== "" && !/\s/.test(t.id)).toBe(true);
          } catch (err) {
            expect(assertLocatedInputError(err, path).line).toBeLessThanOrEqual(text.split("\n").length);
          }
          const { topics, stats } = await readTrecTopics(path, { lenient: true });
          expect(topics).toHaveLength(stats.records);
        }),
        fuzzParameters(150),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "reads well-formed topics back",
    async () => {
      const topic = fc.record({ title: words, desc: fc.option(words, { nil: undefined }) });
      await fc.assert(
        fc.asyncProperty(fc.array(topic, { maxLength: 6 }), fc.boolean(), async (topics, labels) => {
          const lines: string[] = [];
          topics.forEach((t, i) => {
            lines.push(
              "<top>",
              `<num> ${labels ? "Number: " : ""}${i + 1}`,
              `<title> ${labels ? "Topic: " : ""}${t.title}`,
            );
            if (t.desc !== undefined)
              lines.push(`<desc> ${labels ? "Description:" : ""}`, ...t.desc.split(" "));
            lines.push("</top>", "");
          });
          const path = await caseFile(tmp.dir, "topics", lines.join("\n"));
          const read = await readTrecTopics(path);
          expect(read.topics).toEqual(
            topics.map((t, i) =>
              t.desc === undefined
                ? { id: String(i + 1), text: t.title }
                : { id: String(i + 1), text: t.title, metadata: { description: t.desc } },
            ),
          );
        }),
        fuzzParameters(60),
      );
    },
    fuzzTimeout(60_000),
  );
});
