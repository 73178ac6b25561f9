/**
 * Test fixtures: the tiny bi-encoder (FIXTURE_MODELS.biEncoder) and PyTorch's embeddings of its reference
 * texts (reference.json, written by packages/inference/scripts/make-fixtures.py), so expected scores come
 * from PyTorch, never from our own output.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DocumentRecord } from "@ferret/datasets";
import { FIXTURE_MODELS } from "@ferret/inference/testing";

export interface ReferenceText {
  text: string;
  /** PyTorch mean pooling + L2 normalization. */
  mean: number[];
}

export function referenceTexts(): ReferenceText[] {
  const ref = JSON.parse(readFileSync(FIXTURE_MODELS.reference, "utf8")) as { texts: ReferenceText[] };
  return ref.texts;
}

/** Reference text i as document `d<copy>-<i>`: `copies` copies give a larger corpus with known vectors. */
export function referenceCorpus(copies = 1): DocumentRecord[] {
  const texts = referenceTexts();
  const docs: DocumentRecord[] = [];
  for (let c = 0; c < copies; c++) {
    texts.forEach((t, i) =>
      docs.push({ id: `d${c}-${String(i).padStart(2, "0")}`, title: "", text: t.text }),
    );
  }
  return docs;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * A models root with the tiny bi-encoder as `tiny-a`, the same weights with query/document prefixes as
 * `tiny-b` (another fingerprint and other vectors: a "newly published" model), and a broken `broken`.
 */
export function makeModelsRoot(root: string): string {
  mkdirSync(root, { recursive: true });
  cpSync(FIXTURE_MODELS.biEncoder, join(root, "tiny-a"), { recursive: true });
  cpSync(FIXTURE_MODELS.biEncoder, join(root, "tiny-b"), { recursive: true });
  const file = join(root, "tiny-b", "ferret.json");
  const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...config, queryPrefix: "query: ", documentPrefix: "passage: " }));
  mkdirSync(join(root, "broken"));
  writeFileSync(
    join(root, "broken", "ferret.json"),
    JSON.stringify({ formatVersion: 1, kind: "bi-encoder" }),
  );
  return root;
}
