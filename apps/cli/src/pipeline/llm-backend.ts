/**
 * The annotate stage's LLM: a local GGUF through node-llama-cpp, or an OpenAI-compatible server (its key
 * from $FERRET_LLM_API_KEY, never from the spec).
 */
import { LlamaCppBackend, OpenAiBackend, type LlmBackend } from "@ferret/annotator";
import type { PipelineSpec } from "./pipeline-spec.js";

export type LlmSpec = NonNullable<PipelineSpec["stages"]["annotate"]>["llm"];

export async function openLlm(llm: LlmSpec): Promise<LlmBackend> {
  if (llm.gguf !== undefined)
    return LlamaCppBackend.open({
      modelPath: llm.gguf,
      ...(llm.threads !== undefined ? { threads: llm.threads } : {}),
    });
  const apiKey = process.env.FERRET_LLM_API_KEY;
  return new OpenAiBackend({
    baseUrl: llm.baseUrl!,
    model: llm.model!,
    ...(apiKey ? { apiKey } : {}),
  });
}
