/**
 * The tiny random-weight BERT models in fixtures/ (built by scripts/make-fixtures.py, ~0.2 MB each),
 * for other packages' tests (encoder, ranker) that need a real model directory but no real weights.
 * reference.json beside them holds PyTorch's outputs for them.
 */
import { fileURLToPath } from "node:url";

const dir = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

export const FIXTURE_MODELS = {
  /** bi-encoder: mean pooling, normalize, maxLength 24, dimension 32, with model.int8.onnx */
  biEncoder: dir("tiny-bert"),
  /** cross-encoder with 1 label, sigmoid score, maxLength 40 */
  crossEncoder1: dir("tiny-bert-ce1"),
  /** cross-encoder with 2 labels, softmax-positive score (label 1), maxLength 40 */
  crossEncoder2: dir("tiny-bert-ce2"),
  /** PyTorch / Hugging Face reference outputs for the three models */
  reference: dir("reference.json"),
} as const;
