import { countField, textField } from "@ferret/config";
import { DEFAULT_BATCH_LIMITS, type EncoderLoadOptions } from "./bi-encoder.js";

/** The fields of a service's `models` block that every ONNX model server has (the encoder, the ranker). */
export const modelsConfigFields = {
  /** One model directory per name (tokenizer.json, ONNX files, ferret.json). */
  dir: textField("models"),
  /** ONNX Runtime intra-op threads per model; 0 = one per core. */
  threads: countField(0, 0),
  maxBatchSize: countField(DEFAULT_BATCH_LIMITS.maxBatchSize),
  maxBatchTokens: countField(DEFAULT_BATCH_LIMITS.maxBatchTokens),
};

/** The session and batching options a `models` block sets for every model it loads. */
export function modelLoadOptions(models: {
  threads: number;
  maxBatchSize: number;
  maxBatchTokens: number;
}): Omit<EncoderLoadOptions, "variant"> {
  return {
    intraOpNumThreads: models.threads,
    maxBatchSize: models.maxBatchSize,
    maxBatchTokens: models.maxBatchTokens,
  };
}
