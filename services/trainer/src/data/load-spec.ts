/**
 * Reading a job spec: YAML or JSON text, validated against jobSpecSchema. Every problem becomes one
 * InputError whose field is the dotted key path of the first issue (and whose line is that key's line
 * in the file when it can be found); the message lists all issues. Relative paths in the spec are
 * resolved against the spec file's directory.
 */
import { readFile } from "node:fs/promises";
import { basename, dirname, extname, isAbsolute, join, resolve } from "node:path";
import { InputError } from "@ferret/errors";
import { LineCounter, parseDocument, isNode } from "yaml";
import type { z } from "zod";
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

function fieldOf(issue: z.core.$ZodIssue): (string | number)[] {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  // An unknown key is reported on its parent object; name the key itself.
  if (issue.code === "unrecognized_keys" && issue.keys.length > 0) return [...path, issue.keys[0]!];
  return path;
}

function describe(issue: z.core.$ZodIssue): string {
  const field = fieldOf(issue).join(".") || "(root)";
  if (issue.code === "unrecognized_keys") return `${field}: unknown field`;
  return `${field}: ${issue.message}`;
}

/** Parses and validates spec text; `file` names it in errors and `baseDir` anchors relative paths. */
export function parseJobSpec(text: string, options: { file: string; baseDir: string }): LoadedJobSpec {
  const { file, baseDir } = options;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lines.linePos(yamlError.pos[0]).line;
    throw new InputError(
      { file, ...(line === undefined ? {} : { line }) },
      `not valid YAML or JSON: ${yamlError.message}`,
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (cause) {
    // yaml refuses to expand aliases past a limit (a "billion laughs" document) with a ReferenceError.
    throw new InputError({ file }, `not a usable YAML document: ${(cause as Error).message}`, { cause });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new InputError({ file }, "the spec must be a mapping of fields");
  const result = jobSpecSchema.safeParse(raw);
  if (!result.success) {
    // A misspelt key also makes the key it was meant to be "missing"; report the misspelling first.
    const issues = [...result.error.issues].sort(
      (a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"),
    );
    const first = fieldOf(issues[0]!);
    const line = lineOf(doc, lines, first);
    throw new InputError(
      { file, field: first.join(".") || "(root)", ...(line === undefined ? {} : { line }) },
      `invalid job spec: ${issues.map(describe).join("; ")}`,
    );
  }
  const spec = resolvePaths(result.data, baseDir);
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

/** The line of the deepest existing node on the path (the key itself when it exists). */
function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: (string | number)[],
): number | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    const node: unknown = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
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
