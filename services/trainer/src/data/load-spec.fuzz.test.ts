/**
 * Property-based tests of the training job spec reader (fixed seed; FERRET_FUZZ_RUNS for more): any text,
 * and any valid spec with random fields changed, removed or added (as JSON or YAML), is either a spec
 * that satisfies the schema's rules or an InputError naming the spec file and the field (or line) at
 * fault; nothing else escapes: YAML alias bombs and deep nesting included.
 */
import fc from "fast-check";
import { assertTypedError, fuzzParameters, fuzzTimeout } from "@ferret/errors/testing";
import { InputError } from "@ferret/errors";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { parseJobSpec } from "./load-spec.js";

const base = { file: "/jobs/job.yaml", baseDir: "/jobs" };

const VALID = {
  name: "fuzz",
  corpus: "../data/scifact",
  seed: 7,
  queries: { split: "train", synthetic: "synthetic/queries.jsonl" },
  positives: {
    human: { minGrade: 1 },
    llm: { labels: "labels.jsonl", mode: "graded", minGrade: 2 },
    combine: "curriculum",
    humanFraction: 0.5,
  },
  negatives: {
    bm25: { window: [4, 30], count: 2, pick: "top", k1: 0.9, b: 0.4 },
    dense: { run: "dense.trec", window: [1, 50] },
    random: { count: 1 },
  },
  falseNegatives: { skipTop: 3, maxTeacherScore: 0.9, relativeMargin: 0.05 },
  teacher: { kind: "cross-encoder", model: "models/ce" },
  distill: true,
  batching: { kind: "tas-balanced", encoder: "models/enc", clusters: 4, batchSize: 8 },
  model: "models/base",
  training: { loss: "margin-mse", epochs: 1 },
  output: "out",
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const paths: string[][] = [];
(function walk(value: unknown, at: string[]) {
  paths.push(at);
  if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
})(VALID, []);

/** Values at the edges of what the schema checks: wrong types, zero, negatives, huge, fractions, empty. */
const boundary = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    1,
    0.5,
    1.5,
    2 ** 53,
    -(2 ** 31),
    1e308,
    "",
    " ",
    "0",
    "top",
    "random",
    "tas-balanced",
    [],
    {},
    [1],
    [30, 4],
    [0, 1],
    [1, 1, 1],
    ["a", "b"],
  ),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);
const mutation = fc.oneof(
  fc.record({
    op: fc.constant("set" as const),
    path: fc.constantFrom(...paths.filter((p) => p.length > 0)),
    value: boundary,
  }),
  fc.record({
    op: fc.constant("delete" as const),
    path: fc.constantFrom(...paths.filter((p) => p.length > 0)),
  }),
  fc.record({
    op: fc.constant("add" as const),
    path: fc.constantFrom(...paths),
    key: fc.string({ minLength: 1, maxLength: 6 }),
    value: boundary,
  }),
);

function mutate(spec: Json, m: { op: string; path: string[]; value?: Json; key?: string }): void {
  let parent: Json = spec;
  const steps = m.op === "add" ? m.path : m.path.slice(0, -1);
  for (const step of steps) {
    if (parent === null || typeof parent !== "object") return;
    parent = (parent as Record<string, Json>)[step] as Json;
  }
  if (parent === null || typeof parent !== "object" || Array.isArray(parent)) return;
  const obj = parent as Record<string, Json>;
  if (m.op === "add") obj[m.key as string] = m.value as Json;
  else if (m.op === "set") obj[m.path[m.path.length - 1] as string] = m.value as Json;
  else delete obj[m.path[m.path.length - 1] as string];
}

function check(text: string): void {
  let loaded: ReturnType<typeof parseJobSpec>;
  try {
    loaded = parseJobSpec(text, base);
  } catch (err) {
    const error = assertTypedError(err, { file: base.file });
    expect(error).toBeInstanceOf(InputError);
    // Only whole-document problems (not YAML, not a mapping) may leave out both line and field.
    const e = error as InputError;
    if (e.field === undefined && e.line === undefined)
      expect(e.message).toMatch(/not valid YAML|not a usable YAML|must be a mapping/);
    return;
  }
  const { spec } = loaded;
  for (const window of [spec.negatives.bm25?.window, spec.negatives.dense?.window])
    if (window) expect(window[0]).toBeLessThanOrEqual(window[1]);
  expect(spec.negatives.bm25 ?? spec.negatives.dense ?? spec.negatives.random).toBeDefined();
  if (spec.distill) expect(spec.teacher).toBeDefined();
  expect(spec.corpus.startsWith("/")).toBe(true);
}

describe("job spec reader, fuzzed", () => {
  it(
    "accepts or names the field of a valid spec with random fields changed, removed or added",
    () => {
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean(), (mutations, yaml) => {
          const spec = structuredClone(VALID) as Json;
          for (const m of mutations) mutate(spec, m);
          check(yaml ? stringify(spec) : JSON.stringify(spec));
        }),
        fuzzParameters(300),
      );
    },
    fuzzTimeout(60_000),
  );

  it(
    "rejects any other text with an InputError naming the spec file, alias bombs and deep nesting included",
    () => {
      const yamlish = fc
        .array(
          fc.oneof(
            fc.constantFrom(
              "corpus:",
              "queries:",
              "  split: train",
              "negatives: {random: {count: 1}}",
              "- ",
              "&a",
              "*a",
              "!!binary",
              "<<: *a",
              "{",
              "}",
              "[",
              "]",
              "? ",
              ": ",
              "'",
              '"',
              "#",
              "---",
              "...",
              "\t",
              "%YAML 1.2",
            ),
            fc.string({ maxLength: 6, unit: "binary" }),
          ),
          { maxLength: 16 },
        )
        .chain((parts) => fc.constantFrom(" ", "\n").map((separator) => parts.join(separator)));
      const bomb = fc.integer({ min: 2, max: 9 }).map((n) => {
        const lines = [`a0: &a0 [${Array(n).fill("x").join(", ")}]`];
        for (let i = 1; i < n; i++)
          lines.push(
            `a${i}: &a${i} [${Array(n)
              .fill(`*a${i - 1}`)
              .join(", ")}]`,
          );
        return lines.join("\n");
      });
      const deep = fc
        .integer({ min: 1, max: 3000 })
        .map((n) => `corpus: ${"[".repeat(n)}${"]".repeat(n % 3 === 0 ? n : 0)}`);
      fc.assert(fc.property(fc.oneof(yamlish, bomb, deep), check), fuzzParameters(150));
    },
    fuzzTimeout(60_000),
  );
});
