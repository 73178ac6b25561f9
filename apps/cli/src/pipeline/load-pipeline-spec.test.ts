import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { beforeAll, describe, expect, it } from "vitest";
import { loadPipelineSpec, parsePipelineSpec } from "./load-pipeline-spec.js";
import { GOOD_PIPELINE_LINES, makePipelineRoot } from "./test-support/pipeline-fixture.js";

let root: string;

beforeAll(async () => {
  root = await makePipelineRoot("ferret-pipeline-spec-");
});

const GOOD = [...GOOD_PIPELINE_LINES];

function parse(lines: string[]) {
  return parsePipelineSpec(lines.join("\n"), { file: join(root, "pipeline.yaml"), baseDir: root });
}

async function fails(lines: string[]): Promise<InputError> {
  const err: unknown = await parse(lines).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

const replace = (from: string, to: string) => GOOD.map((l) => (l.startsWith(from) ? to : l));

describe("pipeline spec", () => {
  it("fills defaults, resolves paths and embeds the trainer's job spec with the dataset's corpus and split", async () => {
    const { spec, job } = await parse(GOOD);
    expect(spec.dataset.dir).toBe(join(root, "data"));
    expect(spec.output).toBe(join(root, "runs", "mini"));
    expect(spec.baselines.hybrid?.alphas).toHaveLength(11);
    expect(spec.baselines.rerank).toEqual({ model: join(root, "models", "cross"), depth: 50, first: "bm25" });
    expect(spec.stages.evaluate.test).toBe("t-test");
    expect(job?.corpus).toBe(join(root, "data"));
    expect(job?.queries.split).toBe("train");
    expect(job?.model).toBe(join(root, "models", "minilm"));
    expect(job?.negatives.bm25).toMatchObject({ window: [4, 30], count: 2, k1: 0.9 });
    expect(job?.training).toEqual({ loss: "infonce", epochs: 1 });
  });

  it("reads a spec file and a referenced job spec file", async () => {
    await writeFile(
      join(root, "job.yaml"),
      "corpus: data\nqueries: { split: train }\npositives: { human: {} }\nnegatives: { random: { count: 1 } }\n",
    );
    const file = join(root, "by-ref.yaml");
    await writeFile(file, [...GOOD.slice(0, 6), "  train: { job: job.yaml }", ...GOOD.slice(12)].join("\n"));
    const { job } = await loadPipelineSpec(file);
    expect(job?.negatives.random).toEqual({ count: 1 });
    expect(job?.corpus).toBe(join(root, "data"));
  });

  it("names a misspelt key and its line", async () => {
    const err = await fails(replace("  rerank:", "  rerank: { modle: models/cross }"));
    expect(err.field).toBe("baselines.rerank.modle");
    expect(err.line).toBe(17);
    expect(err.message).toMatch(/unknown field/);
  });

  it("refuses to tune the hybrid α on the test split", async () => {
    const err = await fails(replace("  hybrid:", "  hybrid: { tuneOn: test }"));
    expect(err.field).toBe("baselines.hybrid.tuneOn");
    expect(err.line).toBe(16);
    expect(err.message).toMatch(/never tune on the test split/);
  });

  it("names a bad key inside the embedded job spec", async () => {
    const err = await fails(replace("      negatives:", "      negatives: { bm25: { window: [30, 4] } }"));
    expect(err.field).toBe("stages.train.job.negatives.bm25.window");
    expect(err.line).toBe(11);
  });

  it("fails before any work when the dataset directory is missing", async () => {
    const err = await fails(
      replace("dataset:", "dataset: { dir: nowhere, train: train, dev: dev, test: test }"),
    );
    expect(err.field).toBe("dataset.dir");
    expect(err.line).toBe(2);
    expect(err.message).toContain(join(root, "nowhere"));
  });

  it("names a missing split file", async () => {
    const err = await fails(
      replace("dataset:", "dataset: { dir: data, train: train, dev: dev, test: heldout }"),
    );
    expect(err.field).toBe("dataset.test");
    expect(err.message).toContain(join(root, "data", "qrels", "heldout.tsv"));
  });

  it("names a missing model directory", async () => {
    const err = await fails(replace("  dense:", "  dense: { model: models/absent }"));
    expect(err.field).toBe("baselines.dense.model");
    expect(err.line).toBe(15);
    expect(err.message).toMatch(/model directory .*absent does not exist/);
  });

  it("names a missing base model inside the job spec", async () => {
    const err = await fails(replace("      model:", "      model: models/gone"));
    expect(err.field).toBe("stages.train.job.model");
    expect(err.line).toBe(9);
  });
});
