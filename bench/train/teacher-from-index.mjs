#!/usr/bin/env node
// Adds a bi-encoder teacher's score to every positive and negative of a pairs file, reading the passages'
// embeddings from a dense index that teacher already built (`ferret encode index`, exact) instead of embedding
// them again: the distillation runs in bench/train/RESULTS.md reuse the bge-small corpus index of its SciFact
// reproduction this way. The queries are embedded with the teacher (its query prefix). The score is the inner
// product, as @ferret/trainer's bi-encoder teacher computes it (services/trainer/src/data/teacher.ts); the
// trainer's assembly has no option to read an index yet, so this saves re-encoding ~1,700 passages with a
// 12-layer model at 512 tokens. Fails if the index was built by another model (fingerprint).
// Usage: node bench/train/teacher-from-index.mjs --model <teacher dir> --index <index dir> --pairs <in.jsonl> > out.jsonl
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readIndexManifest } from "@ferret/encoder";
import { BiEncoder } from "@ferret/inference";

const { values } = parseArgs({
  options: { model: { type: "string" }, index: { type: "string" }, pairs: { type: "string" } },
});
if (!values.model || !values.index || !values.pairs) {
  console.error("usage: teacher-from-index.mjs --model <dir> --index <dir> --pairs <pairs.jsonl>");
  process.exit(2);
}
const teacher = await BiEncoder.load(values.model);
const manifest = await readIndexManifest(values.index);
if (manifest.kind !== "exact")
  throw new Error(`${values.index}: an exact index is needed, not ${manifest.kind}`);
if (manifest.modelFingerprint !== (await teacher.fingerprint()))
  throw new Error(`${values.index} was built by ${manifest.modelName}, not by the teacher ${values.model}`);
const ids = JSON.parse(await readFile(join(values.index, "ids.json"), "utf8"));
const bytes = await readFile(join(values.index, "vectors.f32"));
const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const dim = manifest.dimension;
const row = new Map(ids.map((id, i) => [id, i]));

const lines = (await readFile(values.pairs, "utf8")).split("\n").filter((l) => l.trim() !== "");
const records = lines.map((l) => JSON.parse(l));
const queryIds = [...new Set(records.map((r) => r.qid))];
const queryText = new Map(records.map((r) => [r.qid, r.query]));
const queryVectors = await teacher.embed(
  queryIds.map((q) => queryText.get(q)),
  "query",
);
const queryVector = new Map(queryIds.map((q, i) => [q, queryVectors[i]]));
await teacher.close();

const score = (qid, docId) => {
  const r = row.get(docId);
  if (r === undefined) throw new Error(`${values.index}: no vector for document ${docId}`);
  const q = queryVector.get(qid);
  let s = 0;
  for (let j = 0; j < dim; j++) s += q[j] * vectors[r * dim + j];
  return s;
};
for (const r of records) {
  for (const p of [...r.positives, ...r.negatives]) p.teacher = score(r.qid, p.id);
  process.stdout.write(JSON.stringify(r) + "\n");
}
