/**
 * A cross-encoder model directory run with ONNX Runtime (Nogueira & Cho 2019, "Passage Re-ranking with
 * BERT"): pairs encoded by PairTokenizer (Hugging Face's pair truncation, segment ids), length-grouped and
 * padded batches, the [batch, labels] logits, and the score activation of ferret.json. Built from
 * @ferret/inference's model-directory contract, batching, session and activation exports; only the pair
 * encoding differs from its CrossEncoder (see pair-tokenizer.ts).
 */
import { InputError } from "@ferret/errors";
import {
  DEFAULT_BATCH_LIMITS,
  createSession,
  loadModelDir,
  padBatch,
  planBatches,
  scoreFromLogits,
  type BatchLimits,
  type CrossEncoderConfig,
  type EncoderLoadOptions,
  type PaddedBatch,
  type TextPair,
} from "@ferret/inference";
import { Tensor, type InferenceSession } from "onnxruntime-node";
import { PairTokenizer } from "./pair-tokenizer.js";

export class CrossEncoderModel {
  private constructor(
    readonly dir: string,
    readonly config: CrossEncoderConfig,
    readonly tokenizer: PairTokenizer,
    private readonly session: InferenceSession,
    private readonly onnxPath: string,
    private readonly limits: BatchLimits,
  ) {}

  static async load(dir: string, options: EncoderLoadOptions = {}): Promise<CrossEncoderModel> {
    const model = await loadModelDir(dir, options.variant ?? "fp32");
    if (model.config.kind !== "cross-encoder") {
      throw new InputError(
        { file: `${dir}/ferret.json`, field: "kind" },
        `is "${model.config.kind}", expected "cross-encoder"`,
      );
    }
    const tokenizer = await PairTokenizer.fromFile(model.tokenizerPath, model.config.maxLength);
    const session = await createSession(model.onnxPath, options);
    return new CrossEncoderModel(dir, model.config, tokenizer, session, model.onnxPath, {
      maxBatchSize: options.maxBatchSize ?? DEFAULT_BATCH_LIMITS.maxBatchSize,
      maxBatchTokens: options.maxBatchTokens ?? DEFAULT_BATCH_LIMITS.maxBatchTokens,
    });
  }

  /** Raw logits per pair, in input order. */
  async logits(pairs: readonly TextPair[]): Promise<Float32Array[]> {
    const encoded = await this.tokenizer.encodePairs(pairs);
    const out = new Array<Float32Array>(pairs.length);
    const lengths = encoded.map((e) => e.ids.length);
    for (const indices of planBatches(lengths, this.limits)) {
      const batch = padBatch(encoded, indices, this.tokenizer.padId);
      const { data, labels } = await this.run(batch);
      batch.indices.forEach((index, row) => {
        out[index] = data.slice(row * labels, (row + 1) * labels);
      });
    }
    return out;
  }

  /** Relevance scores per pair (ferret.json scoreActivation), in input order. */
  async score(pairs: readonly TextPair[]): Promise<number[]> {
    const logits = await this.logits(pairs);
    return logits.map((l) => scoreFromLogits(l, this.config.scoreActivation, this.config.positiveLabel));
  }

  private async run(batch: PaddedBatch): Promise<{ data: Float32Array; labels: number }> {
    const dims = [batch.batchSize, batch.seqLength];
    const available: Record<string, BigInt64Array> = {
      input_ids: batch.inputIds,
      attention_mask: batch.attentionMask,
      token_type_ids: batch.tokenTypeIds, // fed only when the graph has the input (BERT does, RoBERTa not)
    };
    const feeds: Record<string, Tensor> = {};
    for (const name of this.session.inputNames) {
      const data = available[name];
      if (data === undefined) {
        throw new InputError(
          { file: this.onnxPath },
          `graph input "${name}" is not one Ferret feeds (input_ids, attention_mask, token_type_ids)`,
        );
      }
      feeds[name] = new Tensor("int64", data, dims);
    }
    const output = this.config.output;
    if (!this.session.outputNames.includes(output)) {
      throw new InputError(
        { file: this.onnxPath, field: "output" },
        `graph has no output "${output}" (outputs: ${this.session.outputNames.join(", ")}); set "output" in ferret.json`,
      );
    }
    const tensor = (await this.session.run(feeds, [output]))[output]!;
    const labels = tensor.dims[1] ?? 0;
    if (tensor.type !== "float32" || tensor.dims.length !== 2 || labels < 1) {
      throw new InputError(
        { file: this.onnxPath, field: "output" },
        `"${output}" is ${tensor.type} [${tensor.dims.join(", ")}], expected float32 [batch, labels]`,
      );
    }
    this.checkLabels(labels);
    return { data: tensor.data as Float32Array, labels };
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
