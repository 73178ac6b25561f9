/**
 * A model's identity for everything derived from it (vector indexes, caches): sha256 over what
 * decides the embeddings — tokenizer.json, the ONNX file of the variant in use, and ferret.json's
 * settings (provenance in `source` excluded). Independent of where the directory lives.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import type { ModelDir } from "./model-dir.js";

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

async function hashFile(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

export async function modelFingerprint(model: ModelDir): Promise<string> {
  const hash = createHash("sha256");
  // file names are covered by hashing the files themselves; provenance does not change outputs
  const { source: _source, model: _onnxName, quantized: _quantized, ...settings } = model.config;
  hash.update(`ferret-model-v1\n${JSON.stringify(canonical(settings))}\ntokenizer.json\n`);
  await hashFile(hash, model.tokenizerPath);
  hash.update(`\nonnx ${model.variant}\n`);
  await hashFile(hash, model.onnxPath);
  return hash.digest("hex");
}
