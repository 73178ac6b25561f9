export { scoreFromLogits, sigmoid, softmaxAt } from "./activation.js";
export { padBatch, planBatches } from "./batching.js";
export type { BatchLimits, PaddedBatch } from "./batching.js";
export { BiEncoder, DEFAULT_BATCH_LIMITS } from "./bi-encoder.js";
export type { EncoderLoadOptions, TextRole } from "./bi-encoder.js";
export { CrossEncoder } from "./cross-encoder.js";
export type { TextPair } from "./cross-encoder.js";
export { biEncoderConfigSchema, crossEncoderConfigSchema, modelConfigSchema } from "./model-config.js";
export type {
  BiEncoderConfig,
  CrossEncoderConfig,
  ModelConfig,
  ModelConfigInput,
  Pooling,
  ScoreActivation,
} from "./model-config.js";
export { loadModelDir, parseModelConfig } from "./model-dir.js";
export type { ModelDir, ModelVariant } from "./model-dir.js";
export { l2NormalizeRows, pool } from "./pooling.js";
export { createSession } from "./session.js";
export type { SessionOptions } from "./session.js";
export { TextTokenizer } from "./tokenizer.js";
export type { EncodedText } from "./tokenizer.js";
export { modelFingerprint } from "./fingerprint.js";
export { modelLoadOptions, modelsConfigFields } from "./models-config.js";
export { MODEL_DIR_CONTENTS, MODEL_DIR_MEDIA_TYPE } from "./model-artifact.js";
