/**
 * Teacher scores for false-negative filtering and distillation: a cross-encoder (a ranker model dir,
 * the score of each (query, passage) pair) or a bi-encoder (an encoder model dir, the inner product of
 * the query and passage embeddings, each text embedded once however many pairs it is in).
 */
import { BiEncoder, CrossEncoder } from "@ferret/inference";
import type { TeacherSpec } from "./spec.js";

export interface TeacherPair {
  queryId: string;
  query: string;
  docId: string;
  passage: string;
}

export interface Teacher {
  readonly kind: TeacherSpec["kind"];
  score(pairs: readonly TeacherPair[]): Promise<number[]>;
  close(): Promise<void>;
}

export async function openTeacher(spec: TeacherSpec): Promise<Teacher> {
  if (spec.kind === "cross-encoder") {
    const model = await CrossEncoder.load(spec.model);
    return {
      kind: spec.kind,
      score: (pairs) => model.score(pairs.map((p) => [p.query, p.passage] as const)),
      close: () => model.close(),
    };
  }
  const model = await BiEncoder.load(spec.model);
  const queries = new Map<string, Float32Array>();
  const docs = new Map<string, Float32Array>();
  const embedMissing = async (
    cache: Map<string, Float32Array>,
    items: { id: string; text: string }[],
    role: "query" | "document",
  ): Promise<void> => {
    const missing = new Map<string, string>();
    for (const it of items) if (!cache.has(it.id)) missing.set(it.id, it.text);
    if (missing.size === 0) return;
    const vectors = await model.embed([...missing.values()], role);
    [...missing.keys()].forEach((id, i) => cache.set(id, vectors[i]!));
  };
  return {
    kind: spec.kind,
    async score(pairs) {
      await embedMissing(
        queries,
        pairs.map((p) => ({ id: p.queryId, text: p.query })),
        "query",
      );
      await embedMissing(
        docs,
        pairs.map((p) => ({ id: p.docId, text: p.passage })),
        "document",
      );
      return pairs.map((p) => dot(queries.get(p.queryId)!, docs.get(p.docId)!));
    },
    close: () => model.close(),
  };
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
