import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The SmolLM2-135M-Instruct GGUF fetched by scripts/fetch-smollm2.sh (or $FERRET_SMOLLM2_GGUF). */
export function smollm2Path(): string {
  const path =
    process.env.FERRET_SMOLLM2_GGUF ??
    fileURLToPath(
      new URL("../../../../.cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", import.meta.url),
    );
  if (!existsSync(path)) {
    throw new Error(`SmolLM2 GGUF not found at ${path}; run services/annotator/scripts/fetch-smollm2.sh`);
  }
  return path;
}
