/**
 * ferret.json: how Ferret runs the model in a model directory (pooling, normalization, prefixes,
 * max length, output tensor, score activation). Validated with zod; every problem is reported as
 * `<dir>/ferret.json (field "x"): problem`.
 */
import { z } from "zod";

const common = {
  /** Bumped when the meaning of a field changes. */
  formatVersion: z.literal(1),
  /** Tokens per sequence, special tokens included; longer inputs are truncated (pairs: longest first). */
  maxLength: z.number().int().min(2),
  /** ONNX file of the full-precision model, relative to the directory. */
  model: z.string().min(1).default("model.onnx"),
  /** ONNX file of the quantized variant (e.g. int8 dynamic quantization), when the directory has one. */
  quantized: z.string().min(1).optional(),
  /** Where the weights came from (repository, revision, checksums): informational. */
  source: z.record(z.string(), z.unknown()).optional(),
};

export const biEncoderConfigSchema = z.strictObject({
  kind: z.literal("bi-encoder"),
  ...common,
  /** cls: first token; mean: attention-masked mean; last-token: last non-padding token (decoder models). */
  pooling: z.enum(["cls", "mean", "last-token"]),
  /** L2-normalize the pooled vector (cosine similarity = dot product). */
  normalize: z.boolean(),
  /** Prepended to queries / documents (e.g. "query: " for E5, an instruction for instruct models). */
  queryPrefix: z.string().default(""),
  documentPrefix: z.string().default(""),
  /** Embedding size; must equal the model's hidden size. */
  dimension: z.number().int().positive(),
  /** Name of the [batch, sequence, hidden] output. */
  output: z.string().min(1).default("last_hidden_state"),
});

export const crossEncoderConfigSchema = z.strictObject({
  kind: z.literal("cross-encoder"),
  ...common,
  /**
   * none: the logit of the positive label; sigmoid: its sigmoid (1-label models trained with BCE);
   * softmax-positive: softmax over the labels, probability of positiveLabel (2-label models).
   */
  scoreActivation: z.enum(["none", "sigmoid", "softmax-positive"]),
  /** Index of the "relevant" label for multi-label heads. */
  positiveLabel: z.number().int().min(0).default(1),
  /** Name of the [batch, labels] output. */
  output: z.string().min(1).default("logits"),
});

export const modelConfigSchema = z.discriminatedUnion("kind", [
  biEncoderConfigSchema,
  crossEncoderConfigSchema,
]);

export type BiEncoderConfig = z.output<typeof biEncoderConfigSchema>;
export type CrossEncoderConfig = z.output<typeof crossEncoderConfigSchema>;
export type ModelConfig = z.output<typeof modelConfigSchema>;
/** What a ferret.json file may contain (defaults not yet applied). */
export type ModelConfigInput = z.input<typeof modelConfigSchema>;
export type Pooling = BiEncoderConfig["pooling"];
export type ScoreActivation = CrossEncoderConfig["scoreActivation"];
