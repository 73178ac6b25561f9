/**
 * Reading a pipeline spec: parsed and validated by @ferret/config's parseYamlSpec (the trainer's job spec
 * uses the same mechanism), relative paths resolved against the spec's directory, then every file and
 * directory the spec names is checked before any work starts, so a missing dataset, split file or model
 * fails here with the key path and line that name it.
 */
import { stat, readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parseYamlSpec, type SpecSource } from "@ferret/config";
import { InputError } from "@ferret/errors";
import { loadJobSpec, parseJobSpec, type JobSpec } from "@ferret/trainer";
import { pipelineSpecSchema, type PipelineSpec } from "./pipeline-spec.js";

export interface LoadedPipelineSpec {
  spec: PipelineSpec;
  /** The train stage's job spec (inline or read from its file), paths resolved. */
  job: JobSpec | undefined;
  file: string;
  /** The spec's text, for later checks that name a key and its line (preflight.ts). */
  source: SpecSource;
}

type Key = (string | number)[];

async function kindOf(p: string): Promise<"file" | "dir" | undefined> {
  try {
    const s = await stat(p);
    return s.isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}

async function expect(
  source: SpecSource,
  key: Key,
  p: string,
  kind: "file" | "dir",
  what: string,
): Promise<void> {
  const found = await kindOf(p);
  if (found === kind) return;
  const problem =
    found === undefined ? "does not exist" : `is not a ${kind === "dir" ? "directory" : "file"}`;
  throw source.errorAt(key, `${what} ${p} ${problem}`);
}

function resolveAll(spec: PipelineSpec, baseDir: string): PipelineSpec {
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const { baselines, stages } = spec;
  const job = stages.train?.job;
  return {
    ...spec,
    dataset: { ...spec.dataset, dir: at(spec.dataset.dir) },
    stages: {
      ...stages,
      annotate: stages.annotate && {
        ...stages.annotate,
        llm: { ...stages.annotate.llm, gguf: stages.annotate.llm.gguf && at(stages.annotate.llm.gguf) },
      },
      train: stages.train && { job: typeof job === "string" ? at(job) : job! },
    },
    baselines: {
      ...baselines,
      dense: baselines.dense && { model: at(baselines.dense.model) },
      rerank: baselines.rerank && { ...baselines.rerank, model: at(baselines.rerank.model) },
    },
    output: at(spec.output),
  };
}

/** Parses, validates and checks a pipeline spec's text; `file` names it in errors, `baseDir` anchors paths. */
export async function parsePipelineSpec(
  text: string,
  options: { file: string; baseDir: string },
): Promise<LoadedPipelineSpec> {
  const { data, source } = parseYamlSpec(text, pipelineSpecSchema, {
    file: options.file,
    what: "pipeline spec",
  });
  const spec = resolveAll(data, options.baseDir);
  const { dataset, baselines, stages } = spec;

  await expect(source, ["dataset", "dir"], dataset.dir, "dir", "dataset directory");
  for (const name of ["corpus.jsonl", "queries.jsonl"])
    await expect(source, ["dataset", "dir"], join(dataset.dir, name), "file", "dataset file");
  for (const key of ["train", "dev", "test"] as const) {
    const split = dataset[key];
    if (split !== undefined)
      await expect(
        source,
        ["dataset", key],
        join(dataset.dir, "qrels", `${split}.tsv`),
        "file",
        `${key} split file`,
      );
  }
  if (baselines.dense)
    await expect(source, ["baselines", "dense", "model"], baselines.dense.model, "dir", "model directory");
  if (baselines.rerank)
    await expect(source, ["baselines", "rerank", "model"], baselines.rerank.model, "dir", "model directory");
  const gguf = stages.annotate?.llm.gguf;
  if (gguf) await expect(source, ["stages", "annotate", "llm", "gguf"], gguf, "file", "LLM model file");

  let job: JobSpec | undefined;
  const given = stages.train?.job;
  if (typeof given === "string") {
    await expect(source, ["stages", "train", "job"], given, "file", "job spec");
    job = (await loadJobSpec(given)).spec;
  } else if (given) {
    // Re-read through the trainer's loader so its paths resolve against this spec's directory.
    job = parseJobSpec(JSON.stringify(given), { file: options.file, baseDir: options.baseDir }).spec;
  }
  if (job) {
    const at: Key = ["stages", "train", "job"];
    if (typeof given !== "string") {
      await expect(source, [...at, "corpus"], job.corpus, "dir", "corpus directory");
      if (job.model) await expect(source, [...at, "model"], job.model, "dir", "model directory");
      if (job.teacher)
        await expect(
          source,
          [...at, "teacher", "model"],
          job.teacher.model,
          "dir",
          "teacher model directory",
        );
    }
  }
  return { spec, job, file: options.file, source };
}

export async function loadPipelineSpec(file: string): Promise<LoadedPipelineSpec> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new InputError({ file }, `cannot read the pipeline spec: ${(cause as Error).message}`, { cause });
  }
  return parsePipelineSpec(text, { file, baseDir: dirname(resolve(file)) });
}
