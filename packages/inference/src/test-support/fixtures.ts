/** Paths and reference data written by scripts/make-fixtures.py (PyTorch + Hugging Face). */
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures");
export const BI_ENCODER_DIR = join(FIXTURES, "tiny-bert");

export interface TextReference {
  text: string;
  ids: number[];
  mean: number[];
  meanRaw: number[];
  cls: number[];
  lastToken: number[];
}
export interface PairReference {
  query: string;
  passage: string;
  ids: number[];
  typeIds: number[];
  logits: number[];
}
export interface TokenizerReference {
  maxLength: number;
  texts: number[][];
  pairs: { ids: number[]; typeIds: number[] }[];
}
export interface Reference {
  maxLength: number;
  texts: TextReference[];
  crossEncoders: Record<string, PairReference[]>;
  tokenizers: Record<"bpe" | "unigram", TokenizerReference>;
}

export async function readReference(): Promise<Reference> {
  return JSON.parse(await readFile(join(FIXTURES, "reference.json"), "utf8")) as Reference;
}

/** Copies a fixture model dir to a temp dir and rewrites ferret.json with `edit`. */
export async function variantDir(
  name: string,
  edit: (ferret: Record<string, unknown>) => Record<string, unknown>,
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `ferret-inference-${name}-`));
  await cp(join(FIXTURES, name), dir, { recursive: true });
  const ferret = JSON.parse(await readFile(join(dir, "ferret.json"), "utf8")) as Record<string, unknown>;
  await writeFile(join(dir, "ferret.json"), JSON.stringify(edit(ferret)));
  return dir;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
