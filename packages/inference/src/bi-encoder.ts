/**
 * A bi-encoder: text -> tokenizer -> ONNX transformer -> pooling (-> L2 normalization), as
 * sentence-transformers computes embeddings (Reimers & Gurevych 2019, Sentence-BERT).
 */
import { InputError } from "@ferret/errors";
import type { InferenceSession } from "onnxruntime-node";
import { padBatch, planBatches } from "./batching.js";
import type { BatchLimits } from "./batching.js";
import type { BiEncoderConfig } from "./model-config.js";
import { loadModelDir } from "./model-dir.js";
import type { ModelDir, ModelVariant } from "./model-dir.js";
import { modelFingerprint } from "./fingerprint.js";
import { l2NormalizeRows, pool } from "./pooling.js";
import { createSession, runBatch } from "./session.js";
import type { SessionOptions } from "./session.js";
import { TextTokenizer } from "./tokenizer.js";

export interface EncoderLoadOptions extends SessionOptions, Partial<BatchLimits> {
  /** fp32 (model.onnx) or the quantized file named in ferret.json. */
  variant?: ModelVariant;
}

/** query: queryPrefix is prepended; document: documentPrefix; raw: the text as given. */
export type TextRole = "query" | "document" | "raw";

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxBatchSize: 32, maxBatchTokens: 16384 };

export class BiEncoder {
  private constructor(
    readonly dir: string,
    readonly config: BiEncoderConfig,
    readonly tokenizer: TextTokenizer,
    private readonly session: InferenceSession,
    private readonly onnxPath: string,
    private readonly limits: BatchLimits,
    /** The validated model directory (paths, variant) this encoder runs. */
    readonly model: ModelDir,
  ) {}

  private fingerprintPromise: Promise<string> | undefined;

  /** modelFingerprint() of this model and variant (computed once). */
  fingerprint(): Promise<string> {
    this.fingerprintPromise ??= modelFingerprint(this.model);
    return this.fingerprintPromise;
  }

  static async load(dir: string, options: EncoderLoadOptions = {}): Promise<BiEncoder> {
    const model = await loadModelDir(dir, options.variant ?? "fp32");
    if (model.config.kind !== "bi-encoder") {
      throw new InputError(
        { file: `${dir}/ferret.json`, field: "kind" },
        `is "${model.config.kind}", expected "bi-encoder"`,
      );
    }
    const tokenizer = TextTokenizer.fromFile(model.tokenizerPath, model.config.maxLength);
    const session = await createSession(model.onnxPath, options);
    const limits = {
      maxBatchSize: options.maxBatchSize ?? DEFAULT_BATCH_LIMITS.maxBatchSize,
      maxBatchTokens: options.maxBatchTokens ?? DEFAULT_BATCH_LIMITS.maxBatchTokens,
    };
    return new BiEncoder(dir, model.config, tokenizer, session, model.onnxPath, limits, model);
  }

  get dimension(): number {
    return this.config.dimension;
  }

  /** One embedding per text, in input order ([texts.length x dimension], row-major). */
  async embedMatrix(texts: readonly string[], role: TextRole = "raw"): Promise<Float32Array> {
    const prefix =
      role === "query" ? this.config.queryPrefix : role === "document" ? this.config.documentPrefix : "";
    const encoded = await this.tokenizer.encode(prefix === "" ? texts : texts.map((t) => prefix + t));
    const dim = this.config.dimension;
    const out = new Float32Array(texts.length * dim);
    for (const indices of planBatches(
      encoded.map((e) => e.ids.length),
      this.limits,
    )) {
      const batch = padBatch(encoded, indices, this.tokenizer.padId);
      const { data, dims } = await runBatch(this.session, batch, this.config.output, this.onnxPath);
      if (dims.length !== 3 || dims[2] !== dim) {
        throw new InputError(
          { file: `${this.dir}/ferret.json`, field: "dimension" },
          `is ${dim} but the model's "${this.config.output}" has shape [${dims.join(", ")}]`,
        );
      }
      const pooled = pool(
        data,
        batch.attentionMask,
        batch.batchSize,
        batch.seqLength,
        dim,
        this.config.pooling,
      );
      if (this.config.normalize) l2NormalizeRows(pooled, dim);
      batch.indices.forEach((index, row) =>
        out.set(pooled.subarray(row * dim, (row + 1) * dim), index * dim),
      );
    }
    return out;
  }

  /** One Float32Array per text, in input order. */
  async embed(texts: readonly string[], role: TextRole = "raw"): Promise<Float32Array[]> {
    const matrix = await this.embedMatrix(texts, role);
    const dim = this.config.dimension;
    return texts.map((_, i) => matrix.slice(i * dim, (i + 1) * dim));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
