/**
 * A trainable Ferret model dir for tests with the real engine: @ferret/inference's tiny BERT fixture
 * (its config.json and tokenizer.json: 2 layers, hidden 32) with seeded random weights saved as
 * model.safetensors by transformers in the repo's .venv (make trainer-env), as the engine's own tests do.
 * Exported through @ferret/trainer/testing for other packages' tests (the pipeline's).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FIXTURE_MODELS } from "@ferret/inference/testing";

// src/ and dist/ are at the same depth, so the repository root is the same from either.
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const VENV_PYTHON = resolve(REPO_ROOT, ".venv/bin/python");
export const REAL_ENGINE_DIR = resolve(REPO_ROOT, "services/trainer/engine");

export function requireVenv(): string {
  if (!existsSync(VENV_PYTHON))
    throw new Error(`${VENV_PYTHON} is missing: run make trainer-env (the engine's virtualenv) first`);
  return VENV_PYTHON;
}

export function makeTrainableModel(dir: string): string {
  const script = `
import json, shutil, sys, torch
from transformers import BertConfig, BertModel
src, out = sys.argv[1], sys.argv[2]
torch.manual_seed(20261203)
BertModel(BertConfig.from_json_file(src + "/config.json"), add_pooling_layer=False).save_pretrained(out, safe_serialization=True)
shutil.copy(src + "/tokenizer.json", out + "/tokenizer.json")
f = json.load(open(src + "/ferret.json")); f.pop("quantized", None)
json.dump(f, open(out + "/ferret.json", "w"))
`;
  const out = join(dir, "tiny-bert-trainable");
  execFileSync(requireVenv(), ["-c", script, FIXTURE_MODELS.biEncoder, out], {
    stdio: "pipe",
    env: { ...process.env, HF_HUB_OFFLINE: "1" },
  });
  return out;
}
