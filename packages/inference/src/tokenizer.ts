/**
 * Tokenization with Hugging Face's own Rust `tokenizers` (the official Node bindings, npm
 * "tokenizers"): the same code that Python's fast tokenizers run, so token ids equal Hugging
 * Face's by construction for WordPiece, BPE and Unigram tokenizer.json files, and encodes batches on
 * its own threads. Pairs are the exception: the binding (0.23.2) truncates them longest-first with a
 * different rule from current Hugging Face (Python tokenizers 0.23.3, transformers, sentence-transformers),
 * so each half is encoded without special tokens, cut by Hugging Face's rule (pair-truncation.ts) and
 * joined by the tokenizer's own post-processor (template, segment ids).
 */
import { InputError } from "@ferret/errors";
import * as hf from "tokenizers";
import { longestFirstLengths } from "./pair-truncation.js";

export interface EncodedText {
  ids: number[];
  /** Segment ids (0 for the first text, 1 for the second of a pair). */
  typeIds: number[];
}

export class TextTokenizer {
  /** Special tokens the post-processor adds to a pair ([CLS] a [SEP] b [SEP]: 3), once known. */
  private pairSpecialTokens: Promise<number> | undefined;

  private constructor(
    private readonly file: string,
    /** Truncates single texts to maxLength. */
    private readonly tokenizer: hf.Tokenizer,
    /** Never truncates: pair halves need their full lengths to be cut by Hugging Face's rule. */
    private readonly untruncated: hf.Tokenizer,
    readonly maxLength: number,
    /** Id used for padding positions (masked out, so its value does not change results). */
    readonly padId: number,
  ) {}

  /** Loads tokenizer.json; truncation to maxLength is Ferret's, whatever the file says. */
  static fromFile(file: string, maxLength: number): TextTokenizer {
    let tokenizer: hf.Tokenizer;
    let untruncated: hf.Tokenizer;
    try {
      tokenizer = hf.Tokenizer.fromFile(file);
      untruncated = hf.Tokenizer.fromFile(file);
    } catch (err) {
      throw new InputError({ file }, `not a valid Hugging Face tokenizer.json (${(err as Error).message})`, {
        cause: err,
      });
    }
    tokenizer.setTruncation(maxLength);
    tokenizer.disablePadding();
    untruncated.disableTruncation();
    untruncated.disablePadding();
    const padId = ["[PAD]", "<pad>", "<|endoftext|>"]
      .map((t) => tokenizer.tokenToId(t))
      .find((id): id is number => typeof id === "number");
    return new TextTokenizer(file, tokenizer, untruncated, maxLength, padId ?? 0);
  }

  /** Single texts, with the model's special tokens, truncated to maxLength. */
  async encode(texts: readonly string[]): Promise<EncodedText[]> {
    if (texts.length === 0) return [];
    const encodings = await this.tokenizer.encodeBatch([...texts]);
    return encodings.map((e) => ({ ids: e.getIds(), typeIds: e.getTypeIds() }));
  }

  /**
   * Text pairs (query, passage) for cross-encoders, with the model's special tokens and segment ids,
   * truncated longest-first to maxLength exactly as Hugging Face does.
   */
  async encodePairs(pairs: readonly (readonly [string, string])[]): Promise<EncodedText[]> {
    if (pairs.length === 0) return [];
    const budget = this.maxLength - (await this.specialTokensOfPair());
    // One encode() per half, each off the main thread (the binding's encodeBatch takes single texts and,
    // in 0.23.2, did not keep input order for these calls).
    const halves = await Promise.all(
      pairs
        .flatMap(([a, b]) => [a, b])
        .map((text) => this.untruncated.encode(text, null, { addSpecialTokens: false })),
    );
    return pairs.map((_, i) => {
      const a = halves[2 * i]!;
      const b = halves[2 * i + 1]!;
      const [n1, n2] = longestFirstLengths(a.getLength(), b.getLength(), budget);
      // The binding's truncate() cuts from the left unless told "right".
      if (n1 < a.getLength()) a.truncate(n1, 0, "right");
      if (n2 < b.getLength()) b.truncate(n2, 0, "right");
      const joined = this.untruncated.postProcess(a, b, true);
      return { ids: joined.getIds(), typeIds: joined.getTypeIds() };
    });
  }

  private specialTokensOfPair(): Promise<number> {
    this.pairSpecialTokens ??= (async () => {
      const empty = await this.untruncated.encode("", null, { addSpecialTokens: false });
      const specials = this.untruncated.postProcess(empty, empty, true).getLength();
      if (this.maxLength - specials < 2) {
        throw new InputError(
          { file: this.file, field: "maxLength" },
          `${this.maxLength} leaves no room for a pair after its ${specials} special tokens`,
        );
      }
      return specials;
    })();
    return this.pairSpecialTokens;
  }
}
