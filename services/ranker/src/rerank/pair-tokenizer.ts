/**
 * (query, passage) pair encoding exactly as Hugging Face's current tokenizers truncate pairs
 * (tokenizers/src/utils/truncation.rs, LongestFirst): with a budget of maxLength minus the pair's special
 * tokens, a shorter segment that fits keeps all its tokens and the longer one gets the rest; when both are
 * too long the shorter gets floor(budget / 2) and the longer the remaining ceil(budget / 2).
 *
 * Why not @ferret/inference's TextTokenizer.encodePairs: the npm `tokenizers` 0.23.2 Node binding carries an
 * older truncation rule that, when both segments are long and the budget is odd, gives the extra token to the
 * FIRST segment (query) instead of the longer one, so 20 of the 160 fixture pairs differed from Hugging Face
 * (and from sentence-transformers' CrossEncoder). Here each segment is encoded without special tokens, cut by
 * the current rule, then joined by the tokenizer's own post-processor (template, segment ids).
 */
import { InputError } from "@ferret/errors";
import type { EncodedText } from "@ferret/inference";
import * as hf from "tokenizers";

/** How many tokens each segment keeps (Hugging Face LongestFirst, no stride). */
export function longestFirstLengths(n1: number, n2: number, budget: number): [number, number] {
  if (n1 + n2 <= budget) return [n1, n2];
  const swap = n1 > n2;
  let short = swap ? n2 : n1;
  let long = swap ? n1 : n2;
  long = short > budget ? short : Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  return swap ? [long, short] : [short, long];
}

export class PairTokenizer {
  private constructor(
    private readonly tokenizer: hf.Tokenizer,
    readonly maxLength: number,
    /** Special tokens the post-processor adds to a pair ([CLS] a [SEP] b [SEP]: 3). */
    readonly pairSpecialTokens: number,
    readonly padId: number,
  ) {}

  static async fromFile(file: string, maxLength: number): Promise<PairTokenizer> {
    let tokenizer: hf.Tokenizer;
    try {
      tokenizer = hf.Tokenizer.fromFile(file);
    } catch (err) {
      throw new InputError({ file }, `not a valid Hugging Face tokenizer.json (${(err as Error).message})`, {
        cause: err,
      });
    }
    tokenizer.disableTruncation();
    tokenizer.disablePadding();
    const empty = await tokenizer.encode("", null, { addSpecialTokens: false });
    const specials = tokenizer.postProcess(empty, empty, true).getLength();
    if (maxLength - specials < 2) {
      throw new InputError({ file, field: "maxLength" }, `${maxLength} leaves no room for a pair`);
    }
    const padId = ["[PAD]", "<pad>", "<|endoftext|>"]
      .map((t) => tokenizer.tokenToId(t))
      .find((id): id is number => typeof id === "number");
    return new PairTokenizer(tokenizer, maxLength, specials, padId ?? 0);
  }

  async encodePairs(pairs: readonly (readonly [string, string])[]): Promise<EncodedText[]> {
    if (pairs.length === 0) return [];
    // One encode() per segment: each runs off the main thread (the binding's encodeBatch did not keep
    // input order for these calls in 0.23.2).
    const segments = await Promise.all(
      pairs
        .flatMap(([a, b]) => [a, b])
        .map((text) => this.tokenizer.encode(text, null, { addSpecialTokens: false })),
    );
    const budget = this.maxLength - this.pairSpecialTokens;
    return pairs.map((_, i) => {
      const a = segments[2 * i]!;
      const b = segments[2 * i + 1]!;
      const [n1, n2] = longestFirstLengths(a.getLength(), b.getLength(), budget);
      if (n1 < a.getLength()) a.truncate(n1, 0, "right");
      if (n2 < b.getLength()) b.truncate(n2, 0, "right");
      const joined = this.tokenizer.postProcess(a, b, true);
      return { ids: joined.getIds(), typeIds: joined.getTypeIds() };
    });
  }
}
