import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { loadJobSpec, parseJobSpec } from "./load-spec.js";
import { tempDir } from "../test-support/scifact.js";

const base = { file: "/jobs/job.yaml", baseDir: "/jobs" };

function fails(text: string): InputError {
  try {
    parseJobSpec(text, base);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected the spec to be rejected");
}

describe("job spec", () => {
  it("fills defaults and resolves paths against the spec's directory", () => {
    const { spec, outputDir } = parseJobSpec(
      [
        "corpus: ../data/scifact",
        "queries: { split: train }",
        "positives: { human: {} }",
        "negatives:",
        "  bm25: { window: [4, 30] }",
        "  random: { count: 2 }",
      ].join("\n"),
      base,
    );
    expect(spec.corpus).toBe("/data/scifact");
    expect(spec.seed).toBe(13);
    expect(spec.negatives.bm25).toEqual({ window: [4, 30], count: 1, pick: "random", k1: 0.9, b: 0.4 });
    expect(spec.positives.combine).toBe("union");
    expect(spec.positives.human?.minGrade).toBe(1);
    expect(outputDir).toBe("/jobs/job.training-set");
  });

  it("reads JSON too", () => {
    const { spec } = parseJobSpec(
      JSON.stringify({
        corpus: "/c",
        queries: { synthetic: "out" },
        negatives: { dense: { run: "dense.trec", window: [1, 50], count: 4, pick: "top" } },
      }),
      base,
    );
    expect(spec.queries.synthetic).toBe("/jobs/out");
    expect(spec.negatives.dense?.run).toBe("/jobs/dense.trec");
  });

  it("names a misspelt field and its line", () => {
    const err = fails(
      [
        "corpus: c",
        "queries: { split: train }",
        "positives: { human: {} }",
        "negatives:",
        "  bm25:",
        "    windw: [4, 30]",
      ].join("\n"),
    );
    expect(err.field).toBe("negatives.bm25.windw");
    expect(err.line).toBe(6);
    expect(err.message).toContain("negatives.bm25.windw: unknown field");
    // The required window is reported too.
    expect(err.message).toContain("negatives.bm25.window");
  });

  it("names a bad value's field", () => {
    const err = fails(
      [
        "corpus: c",
        "queries: { split: train }",
        "positives: { human: {} }",
        "negatives:",
        "  bm25: { window: [30, 4] }",
      ].join("\n"),
    );
    expect(err.field).toBe("negatives.bm25.window");
    expect(err.line).toBe(5);
    expect(err.message).toContain("window start must not exceed its end");
  });

  it("requires a teacher for distillation and teacher-score filters", () => {
    const err = fails(
      [
        "corpus: c",
        "queries: { split: train }",
        "positives: { human: {} }",
        "negatives: { bm25: { window: [1, 10] } }",
        "distill: true",
        "falseNegatives: { relativeMargin: 0.05 }",
      ].join("\n"),
    );
    expect(err.field).toBe("distill");
    expect(err.message).toContain("falseNegatives.relativeMargin: relativeMargin needs a teacher");
  });

  it("requires a query source, a dense run and human positives with the curriculum", () => {
    expect(
      fails("corpus: c\nqueries: {}\npositives: { human: {} }\nnegatives: { random: { count: 1 } }").field,
    ).toBe("queries");
    expect(
      fails(
        "corpus: c\nqueries: { split: train }\npositives: { human: {} }\nnegatives: { dense: { window: [1, 5] } }",
      ).field,
    ).toBe("negatives.dense");
    const err = fails(
      "corpus: c\nqueries: { split: train }\npositives: { llm: { labels: l, mode: graded }, combine: curriculum }\nnegatives: { random: { count: 1 } }",
    );
    expect(err.field).toBe("positives.combine");
  });

  it("reports YAML syntax errors with their line", () => {
    const err = fails("corpus: c\nqueries: { split: train\n");
    expect(err.message).toContain("not valid YAML");
    expect(err.line).toBeGreaterThanOrEqual(2);
  });

  it("names the file it cannot read", async () => {
    const dir = await tempDir();
    await expect(loadJobSpec(join(dir, "missing.yaml"))).rejects.toThrow(/missing\.yaml/);
    await writeFile(join(dir, "job.yaml"), "corpus: 3\n");
    await expect(loadJobSpec(join(dir, "job.yaml"))).rejects.toMatchObject({
      code: "INVALID_INPUT",
      file: join(dir, "job.yaml"),
      field: "corpus",
    });
  });
});
