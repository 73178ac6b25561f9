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
