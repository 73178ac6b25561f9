/**
 * Checks a run makes before any stage starts, beyond what reading the spec checks (files and directories
 * exist): every model directory the spec names is a Ferret model (has ferret.json), the model to train
 * has safetensors weights, and an LLM server answers and serves the model named. Each failure is an InputError naming the spec's key and line.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { LoadedPipelineSpec } from "./load-pipeline-spec.js";

type Key = (string | number)[];

const LLM_PROBE_TIMEOUT_MS = 5000;

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

function modelDirs(loaded: LoadedPipelineSpec): { key: Key; dir: string }[] {
  const { spec, job } = loaded;
  const dirs: { key: Key; dir: string }[] = [];
  if (spec.baselines.dense)
    dirs.push({ key: ["baselines", "dense", "model"], dir: spec.baselines.dense.model });
  if (spec.baselines.rerank)
    dirs.push({ key: ["baselines", "rerank", "model"], dir: spec.baselines.rerank.model });
  const inline = typeof spec.stages.train?.job !== "string";
  const at = (k: Key): Key => (inline ? ["stages", "train", "job", ...k] : ["stages", "train", "job"]);
  if (job?.model) dirs.push({ key: at(["model"]), dir: job.model });
  if (job?.teacher) dirs.push({ key: at(["teacher", "model"]), dir: job.teacher.model });
  return dirs;
}

/** The models an OpenAI-compatible server lists, or why it could not be asked. */
async function listedModels(baseUrl: string): Promise<{ ids?: string[]; error?: string }> {
  const url = `${baseUrl.replace(/\/+$/, "")}/models`;
  const headers: Record<string, string> = {};
  if (process.env.FERRET_LLM_API_KEY) headers.authorization = `Bearer ${process.env.FERRET_LLM_API_KEY}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(LLM_PROBE_TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { error: cause?.code ?? cause?.message ?? (err as Error).message };
  }
  // A server that answers but lists no models (or hides the list) is reachable; the model is its business.
  if (!response.ok) return {};
  try {
    const body = (await response.json()) as { data?: { id?: unknown }[] };
    const ids = body.data?.flatMap((m) => (typeof m.id === "string" ? [m.id] : []));
    return ids && ids.length > 0 ? { ids } : {};
  } catch {
    return {};
  }
}

export async function preflight(loaded: LoadedPipelineSpec): Promise<void> {
  const { source, spec } = loaded;
  for (const { key, dir } of modelDirs(loaded))
    if (!(await isFile(join(dir, "ferret.json"))))
      throw source.errorAt(key, `model directory ${dir} has no ferret.json: not a Ferret model directory`);
  const job = loaded.job;
  if (job?.model && !(await isFile(join(job.model, "model.safetensors"))))
    throw source.errorAt(
      typeof spec.stages.train?.job === "string"
        ? ["stages", "train", "job"]
        : ["stages", "train", "job", "model"],
      `model directory ${job.model} has no model.safetensors: the trainer fine-tunes safetensors weights ` +
        "(make models keeps them; an ONNX-only model cannot be trained)",
    );
  const llm = spec.stages.annotate?.llm;
  if (llm?.gguf === undefined && llm?.baseUrl !== undefined) {
    const { ids, error } = await listedModels(llm.baseUrl);
    if (error !== undefined)
      throw source.errorAt(
        ["stages", "annotate", "llm", "baseUrl"],
        `the LLM endpoint ${llm.baseUrl} is unreachable (${error})`,
      );
    if (ids && llm.model !== undefined && !ids.includes(llm.model))
      throw source.errorAt(
        ["stages", "annotate", "llm", "model"],
        `the LLM endpoint ${llm.baseUrl} does not serve "${llm.model}" (it serves ${ids.join(", ")})`,
      );
  }
}
