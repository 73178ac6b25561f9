/**
 * Tokenization with Hugging Face's own Rust `tokenizers` (the official Node bindings, npm
 * "tokenizers"): the same code that Python's fast tokenizers run, so token ids equal Hugging
 * Face's by construction for WordPiece, BPE and Unigram tokenizer.json files; it also truncates
 * pairs longest-first as transformers does, and encodes batches on its own threads.
 */
import { InputError } from "@ferret/errors";
import * as hf from "tokenizers";

export interface EncodedText {
  ids: number[];
  /** Segment ids (0 for the first text, 1 for the second of a pair). */
  typeIds: number[];
}

export class TextTokenizer {
  private constructor(
    private readonly tokenizer: hf.Tokenizer,
    readonly maxLength: number,
    /** Id used for padding positions (masked out, so its value does not change results). */
    readonly padId: number,
  ) {}

  /** Loads tokenizer.json; truncation to maxLength is Ferret's, whatever the file says. */
  static fromFile(file: string, maxLength: number): TextTokenizer {
    let tokenizer: hf.Tokenizer;
    try {
      tokenizer = hf.Tokenizer.fromFile(file);
    } catch (err) {
      throw new InputError({ file }, `not a valid Hugging Face tokenizer.json (${(err as Error).message})`, {
        cause: err,
      });
    }
    tokenizer.setTruncation(maxLength);
    tokenizer.disablePadding();
    const padId = ["[PAD]", "<pad>", "<|endoftext|>"]
      .map((t) => tokenizer.tokenToId(t))
      .find((id): id is number => typeof id === "number");
    return new TextTokenizer(tokenizer, maxLength, padId ?? 0);
  }

  /** Single texts, with the model's special tokens, truncated to maxLength. */
  async encode(texts: readonly string[]): Promise<EncodedText[]> {
    if (texts.length === 0) return [];
    const encodings = await this.tokenizer.encodeBatch([...texts]);
    return encodings.map((e) => ({ ids: e.getIds(), typeIds: e.getTypeIds() }));
  }

  /** Text pairs (query, passage) for cross-encoders, truncated longest-first to maxLength. */
  async encodePairs(pairs: readonly (readonly [string, string])[]): Promise<EncodedText[]> {
    // The Node bindings' encodeBatch takes single sequences only; encode() runs off the main thread.
    const encodings = await Promise.all(pairs.map(([a, b]) => this.tokenizer.encode(a, b)));
    return encodings.map((e) => ({ ids: e.getIds(), typeIds: e.getTypeIds() }));
  }
}
