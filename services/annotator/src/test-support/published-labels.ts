/**
 * Checks a finished bus job's labels dataset against the stores it came from: the job record's outputs
 * name `<job>/labels.jsonl` and `<job>/qrels.trec` in the results bucket, the bytes hash to the recorded
 * sha256 (recomputed here with node:crypto), labels.jsonl holds exactly the KV labels, one per line,
 * sorted by query id then doc id, and qrels.trec holds a line per ok label with its grade.
 */
import { createHash } from "node:crypto";
import { parseTrecQrels } from "@ferret/datasets";
import type { ArtifactRef } from "@ferret/proto";
import { expect } from "vitest";
import { collectLabels } from "../jobs/annotation-progress.js";
import type { AnnotationStore } from "../jobs/annotation-store.js";
import type { LabelRecord } from "../labels.js";

const byQueryThenDoc = (a: LabelRecord, b: LabelRecord): number =>
  a.queryId === b.queryId ? (a.docId < b.docId ? -1 : 1) : a.queryId < b.queryId ? -1 : 1;

async function fetchChecked(store: AnnotationStore, ref: ArtifactRef): Promise<string> {
  const bytes = await store.results.getBytes(ref.name);
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(ref.sha256);
  expect(bytes.length).toBe(ref.size);
  return new TextDecoder().decode(bytes);
}

/** Asserts the dataset and returns the labels.jsonl ref (what annotation.completed must carry). */
export async function expectPublishedLabels(store: AnnotationStore, jobId: string): Promise<ArtifactRef> {
  const outputs = (await store.jobs.require(jobId)).result?.outputs ?? [];
  expect(outputs.map((o) => [o.bucket, o.name])).toEqual([
    [`${store.prefix}-results`, `${jobId}/labels.jsonl`],
    [`${store.prefix}-results`, `${jobId}/qrels.trec`],
  ]);
  const [labelsRef, qrelsRef] = outputs as [ArtifactRef, ArtifactRef];

  const kv = await collectLabels(store, jobId);
  const lines = (await fetchChecked(store, labelsRef)).trimEnd().split("\n");
  const published = lines.map((line) => JSON.parse(line) as LabelRecord);
  expect(published).toEqual([...kv].sort(byQueryThenDoc));

  const { qrels } = parseTrecQrels(await fetchChecked(store, qrelsRef), { file: qrelsRef.name });
  const ok = kv.filter((l) => l.status === "ok");
  expect([...qrels.values()].reduce((n, docs) => n + docs.size, 0)).toBe(ok.length);
  for (const l of ok) expect(qrels.get(l.queryId)?.get(l.docId)).toBe(l.grade);
  return labelsRef;
}
