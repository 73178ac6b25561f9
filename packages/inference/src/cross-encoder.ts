/**
 * A cross-encoder: (query, passage) -> tokenizer pair encoding (token_type_ids 0/1) -> ONNX
 * sequence classifier -> logits -> score (Nogueira & Cho 2019, Passage Re-ranking with BERT).
 */
import { InputError } from "@ferret/errors";
import type { InferenceSession } from "onnxruntime-node";
import { scoreFromLogits } from "./activation.js";
import { padBatch, planBatches } from "./batching.js";
import type { BatchLimits } from "./batching.js";
import { DEFAULT_BATCH_LIMITS } from "./bi-encoder.js";
import type { EncoderLoadOptions } from "./bi-encoder.js";
import type { CrossEncoderConfig } from "./model-config.js";
import { loadModelDir } from "./model-dir.js";
import { createSession, runBatch } from "./session.js";
import { TextTokenizer } from "./tokenizer.js";

export type TextPair = readonly [query: string, passage: string];

export class CrossEncoder {
  private constructor(
    readonly dir: string,
    readonly config: CrossEncoderConfig,
    readonly tokenizer: TextTokenizer,
    private readonly session: InferenceSession,
    private readonly onnxPath: string,
    private readonly limits: BatchLimits,
  ) {}

  static async load(dir: string, options: EncoderLoadOptions = {}): Promise<CrossEncoder> {
    const model = await loadModelDir(dir, options.variant ?? "fp32");
    if (model.config.kind !== "cross-encoder") {
      throw new InputError(
        { file: `${dir}/ferret.json`, field: "kind" },
        `is "${model.config.kind}", expected "cross-encoder"`,
      );
    }
    const tokenizer = TextTokenizer.fromFile(model.tokenizerPath, model.config.maxLength);
    const session = await createSession(model.onnxPath, options);
    return new CrossEncoder(dir, model.config, tokenizer, session, model.onnxPath, {
      maxBatchSize: options.maxBatchSize ?? DEFAULT_BATCH_LIMITS.maxBatchSize,
      maxBatchTokens: options.maxBatchTokens ?? DEFAULT_BATCH_LIMITS.maxBatchTokens,
    });
  }

  /** Raw logits per pair, in input order. */
  async logits(pairs: readonly TextPair[]): Promise<Float32Array[]> {
    const encoded = await this.tokenizer.encodePairs(pairs);
    const out: Float32Array[] = new Array<Float32Array>(pairs.length);
    for (const indices of planBatches(
      encoded.map((e) => e.ids.length),
      this.limits,
    )) {
      const batch = padBatch(encoded, indices, this.tokenizer.padId);
      const { data, dims } = await runBatch(this.session, batch, this.config.output, this.onnxPath);
      const labels = dims[1] ?? 0;
      if (dims.length !== 2 || labels < 1) {
        throw new InputError(
          { file: this.onnxPath, field: "output" },
          `"${this.config.output}" has shape [${dims.join(", ")}], expected [batch, labels]`,
        );
      }
      this.checkLabels(labels);
      batch.indices.forEach((index, row) => {
        out[index] = data.slice(row * labels, (row + 1) * labels);
      });
    }
    return out;
  }

  /** Relevance scores per pair (ferret.json scoreActivation applied), in input order. */
  async score(pairs: readonly TextPair[]): Promise<number[]> {
    const logits = await this.logits(pairs);
    return logits.map((l) => scoreFromLogits(l, this.config.scoreActivation, this.config.positiveLabel));
  }

  private checkLabels(labels: number): void {
    const file = `${this.dir}/ferret.json`;
    if (this.config.scoreActivation === "softmax-positive" && labels < 2) {
      throw new InputError(
        { file, field: "scoreActivation" },
        `softmax-positive needs >= 2 labels; the model has ${labels}`,
      );
    }
    if (labels > 1 && this.config.positiveLabel >= labels) {
      throw new InputError(
        { file, field: "positiveLabel" },
        `is ${this.config.positiveLabel}; the model has ${labels} labels`,
      );
    }
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
