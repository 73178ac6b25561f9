/**
 * Reading a user's spec file (YAML or JSON text) against a zod schema. Every problem becomes one
 * InputError whose field is the dotted key path of the first issue and whose line is that key's line in
 * the file when it can be found; the message lists all issues. Shared by every spec Ferret reads (the
 * trainer's job spec, the pipeline spec), so they report errors the same way.
 */
import { InputError } from "@ferret/errors";
import { LineCounter, isNode, parseDocument, type Document } from "yaml";
import type { z } from "zod";

export interface ParseYamlSpecOptions {
  /** The file, named in errors ("<inline spec>" for text given directly). */
  file: string;
  /** What the file is, for messages: "job spec", "pipeline spec". */
  what: string;
}

/** A parsed spec document, kept so later checks (e.g. that a path exists) can name a key's line. */
export interface SpecSource {
  file: string;
  what: string;
  /** 1-based line of the deepest key on `path` that exists in the file. */
  lineOf(path: readonly (string | number)[]): number | undefined;
  /** An InputError at `path` (its key path and line). */
  errorAt(path: readonly (string | number)[], problem: string): InputError;
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

function sourceOf(doc: Document, lines: LineCounter, file: string, what: string): SpecSource {
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    for (let depth = path.length; depth > 0; depth--) {
      const node: unknown = doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return {
    file,
    what,
    lineOf,
    errorAt(path, problem) {
      const line = lineOf(path);
      return new InputError(
        { file, field: path.join(".") || "(root)", ...(line === undefined ? {} : { line }) },
        problem,
      );
    },
  };
}

/** Parses and validates spec text: the schema's output and the source for later, located errors. */
export function parseYamlSpec<S extends z.ZodType>(
  text: string,
  schema: S,
  options: ParseYamlSpecOptions,
): { data: z.infer<S>; source: SpecSource } {
  const { file, what } = options;
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
    throw new InputError({ file }, `the ${what} must be a mapping of fields`);
  const source = sourceOf(doc, lines, file, what);
  const result = schema.safeParse(raw);
  if (!result.success) {
    // A misspelt key also makes the key it was meant to be "missing"; report the misspelling first.
    const issues = [...result.error.issues].sort(
      (a, b) => Number(b.code === "unrecognized_keys") - Number(a.code === "unrecognized_keys"),
    );
    throw source.errorAt(fieldOf(issues[0]!), `invalid ${what}: ${issues.map(describe).join("; ")}`);
  }
  return { data: result.data as z.infer<S>, source };
}
