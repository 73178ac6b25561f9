/**
 * Property-based test of the pipeline spec reader (fixed seed; FERRET_FUZZ_RUNS for more): a valid spec
 * with random line edits (a line dropped, duplicated or inserted, a value replaced by a boundary value:
 * wrong types, zero, negatives, huge, empty, paths outside the root, YAML syntax) is either a spec or an
 * InputError naming the spec file and the key or line at fault; nothing else escapes.
 */
import { join } from "node:path";
import fc from "fast-check";
import { InputError } from "@ferret/errors";
import { assertTypedError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePipelineSpec } from "./load-pipeline-spec.js";
import { GOOD_PIPELINE_LINES, makePipelineRoot } from "./test-support/pipeline-fixture.js";

let root: string;

beforeAll(async () => {
  root = await makePipelineRoot("ferret-pipeline-fuzz-");
});

const GOOD = [...GOOD_PIPELINE_LINES];

const boundary = fc.constantFrom(
  "",
  "~",
  "null",
  "0",
  "-1",
  "1e400",
  "0.5",
  "true",
  "[]",
  "{}",
  "[30, 4]",
  "test",
  "../../..",
  "/",
  "'\u0000'",
  "*a",
  "&a x",
  "!!binary aGk=",
  "{ dir: missing }",
  "{ dir: data, train: test, dev: test, test: test }",
  "[",
);
const edit = fc.oneof(
  fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("value" as const), at: fc.nat(), value: boundary }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    value: fc.oneof(
      boundary.map((v) => `  extra: ${v}`),
      fc.string({ maxLength: 12 }),
    ),
  }),
);

function applyEdits(edits: { kind: string; at: number; value?: string }[]): string {
  const lines = [...GOOD];
  for (const e of edits) {
    if (lines.length === 0) break;
    const at = e.at % lines.length;
    const line = lines[at] as string;
    if (e.kind === "drop") lines.splice(at, 1);
    else if (e.kind === "duplicate") lines.splice(at, 0, line);
    else if (e.kind === "insert") lines.splice(at, 0, e.value as string);
    else if (line.includes(":")) lines[at] = `${line.slice(0, line.indexOf(":") + 1)} ${e.value as string}`;
  }
  return lines.join("\n");
}

describe("pipeline spec reader, fuzzed", () => {
  it(
    "reads a spec with random line edits or names the spec file and the key or line at fault",
    async () => {
      const file = join(root, "pipeline.yaml");
      await fc.assert(
        fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
          const text = applyEdits(edits);
          try {
            await parsePipelineSpec(text, { file, baseDir: root });
          } catch (err) {
            const error = assertTypedError(err, { file });
            expect(error).toBeInstanceOf(InputError);
            const e = error as InputError;
            if (e.line !== undefined) expect(e.line).toBeLessThanOrEqual(text.split("\n").length);
            if (e.field === undefined && e.line === undefined) expect(e.message).toMatch(/YAML|mapping/);
          }
        }),
        fuzzParameters(150),
      );
    },
    fuzzTimeout(60_000),
  );
});
