/**
 * What reranking and scoring jobs need from a cross-encoder: scores for (query, passage) pairs in input
 * order. CrossEncoderScorer feeds @ferret/inference's CrossEncoder (Hugging Face pair tokenization with
 * segment ids, length-grouped batches, the ferret.json score activation) in chunks, so long lists can be cancelled and
 * report progress between chunks while each chunk is still length-grouped.
 */
import { CancelledError } from "@ferret/errors";
import { CrossEncoder, type EncoderLoadOptions, type TextPair } from "@ferret/inference";

export interface ScoreOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the pairs scored so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface PairScorer {
  /** The model's name (its directory's base name unless given). */
  readonly name: string;
  score(pairs: readonly TextPair[], options?: ScoreOptions): Promise<number[]>;
  close(): Promise<void>;
}

export interface CrossEncoderScorerOptions extends EncoderLoadOptions {
  /** Pairs handed to the model at once (each chunk is length-grouped into batches). Default 1024. */
  chunkPairs?: number;
  name?: string;
}

export const DEFAULT_CHUNK_PAIRS = 1024;

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw signal.reason instanceof Error ? signal.reason : new CancelledError("scoring cancelled");
  }
}

export class CrossEncoderScorer implements PairScorer {
  private constructor(
    readonly name: string,
    readonly model: CrossEncoder,
    private readonly chunkPairs: number,
  ) {}

  /** Loads a cross-encoder model directory (variant "quantized" for its int8 ONNX file). */
  static async load(dir: string, options: CrossEncoderScorerOptions = {}): Promise<CrossEncoderScorer> {
    const { chunkPairs, name, ...load } = options;
    const model = await CrossEncoder.load(dir, load);
    const base =
      dir
        .replace(/[/\\]+$/, "")
        .split(/[/\\]/)
        .pop() ?? dir;
    return new CrossEncoderScorer(name ?? base, model, chunkPairs ?? DEFAULT_CHUNK_PAIRS);
  }

  async score(pairs: readonly TextPair[], options: ScoreOptions = {}): Promise<number[]> {
    const out: number[] = [];
    for (let start = 0; start < pairs.length; start += this.chunkPairs) {
      throwIfAborted(options.signal);
      const chunk = pairs.slice(start, start + this.chunkPairs);
      out.push(...(await this.model.score(chunk)));
      options.onProgress?.(out.length, pairs.length);
    }
    return out;
  }

  close(): Promise<void> {
    return this.model.close();
  }
}
