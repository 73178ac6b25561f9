/**
 * Reading a job spec: YAML or JSON text, validated against jobSpecSchema by @ferret/config's
 * parseYamlSpec (every problem is one InputError naming the key path and its line). Relative paths in
 * the spec are resolved against the spec file's directory.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, join, resolve } from "node:path";
import { InputError } from "@ferret/errors";
import { parseYamlSpec } from "@ferret/config";
import { jobSpecSchema, type JobSpec } from "./spec.js";

export interface LoadedJobSpec {
  spec: JobSpec;
  /** The spec file ("<inline spec>" for text given directly). */
  file: string;
  /** Directory relative paths were resolved against. */
  baseDir: string;
  /** Where the training-set artifact goes. */
  outputDir: string;
}

/** Parses and validates spec text; `file` names it in errors and `baseDir` anchors relative paths. */
export function parseJobSpec(text: string, options: { file: string; baseDir: string }): LoadedJobSpec {
  const { file, baseDir } = options;
  const { data } = parseYamlSpec(text, jobSpecSchema, { file, what: "job spec" });
  const spec = resolvePaths(data, baseDir);
  const outputDir =
    spec.output ??
    join(baseDir, `${basename(file, extname(file)).replace(/^<|>$/g, "") || "job"}.training-set`);
  return { spec, file, baseDir, outputDir };
}

export async function loadJobSpec(file: string): Promise<LoadedJobSpec> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new InputError({ file }, `cannot read the job spec: ${(cause as Error).message}`, { cause });
  }
  return parseJobSpec(text, { file, baseDir: dirname(resolve(file)) });
}

function resolvePaths(spec: JobSpec, baseDir: string): JobSpec {
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(baseDir, p));
  const opt = (p: string | undefined): string | undefined => (p === undefined ? undefined : at(p));
  const { positives, negatives, queries } = spec;
  return {
    ...spec,
    corpus: at(spec.corpus),
    queries: { ...queries, synthetic: opt(queries.synthetic) },
    positives: {
      ...positives,
      human: positives.human && { ...positives.human, qrels: opt(positives.human.qrels) },
      llm: positives.llm && { ...positives.llm, labels: at(positives.llm.labels) },
    },
    negatives: {
      ...negatives,
      dense: negatives.dense && { ...negatives.dense, run: opt(negatives.dense.run) },
    },
    teacher: spec.teacher && { ...spec.teacher, model: at(spec.teacher.model) },
    batching: spec.batching && { ...spec.batching, encoder: at(spec.batching.encoder) },
    model: opt(spec.model),
    output: opt(spec.output),
  };
}
