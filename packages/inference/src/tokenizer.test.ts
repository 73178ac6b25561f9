/**
 * Token ids for byte-level BPE (RoBERTa-style post-processing) and Unigram (SentencePiece-style,
 * Metaspace) tokenizer.json files equal those of Hugging Face's Python tokenizers, recorded by
 * scripts/make-fixtures.py with truncation to maxLength (pairs longest-first). The WordPiece case is
 * covered with the models in bi-encoder.test.ts and cross-encoder.test.ts.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { describe, expect, it } from "vitest";
import { TextTokenizer } from "./tokenizer.js";
import { FIXTURES, readReference } from "./test-support/fixtures.js";

const TEXTS_SOURCE = join(FIXTURES, "reference.json");

describe.each(["bpe", "unigram"] as const)("TextTokenizer (%s tokenizer.json)", (name) => {
  it("gives Hugging Face's ids for texts and pairs, truncated to maxLength", async () => {
    const ref = await readReference();
    const expected = ref.tokenizers[name];
    const file = join(FIXTURES, "tokenizers", `${name}.json`);
    const tok = TextTokenizer.fromFile(file, expected.maxLength);
    const texts = ref.texts.map((t) => t.text);
    expect((await tok.encode(texts)).map((e) => e.ids)).toEqual(expected.texts);
    const pairs = ref.crossEncoders["tiny-bert-ce1"]!.map((r) => [r.query, r.passage] as const);
    const encoded = await tok.encodePairs(pairs);
    expect(encoded.map((e) => ({ ids: e.ids, typeIds: e.typeIds }))).toEqual(expected.pairs);
    // the pad id is the file's own "<pad>" entry
    const vocab = (
      JSON.parse(await readFile(file, "utf8")) as { added_tokens: { id: number; content: string }[] }
    ).added_tokens;
    expect(tok.padId).toBe(vocab.find((t) => t.content === "<pad>")!.id);
  });
});

describe("TextTokenizer.fromFile", () => {
  it("names a file that is not a tokenizer.json", () => {
    expect(() => TextTokenizer.fromFile(TEXTS_SOURCE, 8)).toThrow(InputError);
    expect(() => TextTokenizer.fromFile(TEXTS_SOURCE, 8)).toThrow(
      /reference\.json: not a valid Hugging Face tokenizer\.json/,
    );
  });
});

describe("TextTokenizer.encodePairs longest-first truncation", () => {
  it("gives Hugging Face's ids when both halves are long and the budget (37) is odd", async () => {
    // transformers' fast tokenizer, truncation=True (scripts/make-pair-truncation-fixture.py)
    const ref = JSON.parse(await readFile(join(FIXTURES, "pair-truncation.json"), "utf8")) as {
      maxLength: number;
      pairs: { query: string; passage: string; ids: number[]; typeIds: number[] }[];
    };
    const tok = TextTokenizer.fromFile(join(FIXTURES, "tiny-bert-ce1", "tokenizer.json"), ref.maxLength);
    const encoded = await tok.encodePairs(ref.pairs.map((p) => [p.query, p.passage] as const));
    expect(encoded).toEqual(ref.pairs.map((p) => ({ ids: p.ids, typeIds: p.typeIds })));
    // single texts are still cut to maxLength with their special tokens
    const [single] = await tok.encode([ref.pairs[0]!.passage]);
    expect(single!.ids.length).toBe(ref.maxLength);
  });

  it("rejects a maxLength that leaves no room for a pair, naming the file", async () => {
    const file = join(FIXTURES, "tiny-bert-ce1", "tokenizer.json");
    // [CLS] a [SEP] b [SEP]: 3 special tokens, so maxLength 4 leaves 1
    await expect(TextTokenizer.fromFile(file, 4).encodePairs([["a", "b"]])).rejects.toThrow(
      /tokenizer\.json \(field "maxLength"\): 4 leaves no room for a pair/,
    );
    expect(await TextTokenizer.fromFile(file, 4).encodePairs([])).toEqual([]);
  });
});
