/**
 * The model directory contract (DESIGN.md, Models): tokenizer.json, config.json, model.onnx (and
 * optionally a quantized variant) and ferret.json. Loading checks everything that can be checked
 * without running the model and names the file (and field) at fault.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { biEncoderConfigSchema, crossEncoderConfigSchema, modelConfigSchema } from "./model-config.js";
import type { ModelConfig } from "./model-config.js";

export type ModelVariant = "fp32" | "quantized";

export interface ModelDir {
  dir: string;
  config: ModelConfig;
  /** config.json (Hugging Face) as parsed. */
  hfConfig: Record<string, unknown>;
  tokenizerPath: string;
  /** The ONNX file for the requested variant. */
  onnxPath: string;
  variant: ModelVariant;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readJson(file: string): Promise<unknown> {
  if (!(await isFile(file)))
    throw new InputError({ file }, "missing: a model directory must contain this file");
  const text = await readFile(file, "utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError({ file }, `not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = value;
  for (const key of path) {
    if (typeof cur !== "object" || cur === null || !(key in cur)) return false;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

/** Validates ferret.json content; `file` is only used in messages. */
export function parseModelConfig(value: unknown, file: string): ModelConfig {
  const parsed = modelConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0]!;
  let field = first.path.map(String).join(".");
  let problem = first.message;
  if (first.code === "unrecognized_keys") {
    field = [...first.path.map(String), first.keys[0] ?? ""].filter((p) => p !== "").join(".");
    const kind = (value as { kind?: unknown }).kind;
    const known = Object.keys(
      (kind === "cross-encoder" ? crossEncoderConfigSchema : biEncoderConfigSchema).shape,
    );
    problem = `unknown field (a ${String(kind)} ferret.json has: ${known.join(", ")})`;
  } else if (first.code === "invalid_type" && first.path.length > 0 && !hasPath(value, first.path)) {
    problem = `missing (required): ${first.message}`;
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : "";
  throw new InputError({ file, field: field === "" ? undefined : field }, `${problem}${more}`);
}

export async function loadModelDir(dir: string, variant: ModelVariant = "fp32"): Promise<ModelDir> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error("not a directory");
  } catch (err) {
    throw new InputError({ file: dir }, "model directory does not exist or is not a directory", {
      cause: err,
    });
  }
  const ferretFile = join(dir, "ferret.json");
  const config = parseModelConfig(await readJson(ferretFile), ferretFile);

  const hfFile = join(dir, "config.json");
  const hfConfig = await readJson(hfFile);
  if (typeof hfConfig !== "object" || hfConfig === null || Array.isArray(hfConfig)) {
    throw new InputError({ file: hfFile }, "must be a JSON object");
  }
  const hf = hfConfig as Record<string, unknown>;
  if (
    config.kind === "bi-encoder" &&
    typeof hf["hidden_size"] === "number" &&
    hf["hidden_size"] !== config.dimension
  ) {
    throw new InputError(
      { file: ferretFile, field: "dimension" },
      `is ${config.dimension} but config.json hidden_size is ${hf["hidden_size"]}`,
    );
  }
  const maxPositions = hf["max_position_embeddings"];
  if (typeof maxPositions === "number" && config.maxLength > maxPositions) {
    throw new InputError(
      { file: ferretFile, field: "maxLength" },
      `is ${config.maxLength} but the model has only ${maxPositions} positions (config.json max_position_embeddings)`,
    );
  }

  const tokenizerPath = join(dir, "tokenizer.json");
  if (!(await isFile(tokenizerPath))) {
    throw new InputError(
      { file: tokenizerPath },
      "missing: a model directory must contain the Hugging Face tokenizer.json",
    );
  }

  let onnxName = config.model;
  let onnxField = "model";
  if (variant === "quantized") {
    if (config.quantized === undefined) {
      throw new InputError(
        { file: ferretFile, field: "quantized" },
        "not set, but the quantized variant was requested",
      );
    }
    onnxName = config.quantized;
    onnxField = "quantized";
  }
  const onnxPath = join(dir, onnxName);
  if (!(await isFile(onnxPath))) {
    throw new InputError({ file: ferretFile, field: onnxField }, `names ${onnxName}, which is not in ${dir}`);
  }
  return { dir, config, hfConfig: hf, tokenizerPath, onnxPath, variant };
}
