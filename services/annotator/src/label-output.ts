/**
 * The labels dataset artifact on disk: labels.jsonl (every label with provenance, failed ones included),
 * qrels.trec (TREC qrels of the successful labels) and qrels.tsv (BEIR), plus queries.jsonl /
 * corpus.jsonl for synthetic queries and documents. Written with @ferret/datasets' atomic writers.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import {
  writeDataAtomically,
  writeBeirCorpus,
  writeBeirQrels,
  writeBeirQueries,
  writeTrecQrels,
  type Qrels,
} from "@ferret/datasets";
import type { LabelRecord } from "./labels.js";

export function qrelsFromLabels(labels: readonly LabelRecord[]): Qrels {
  const qrels: Qrels = new Map();
  for (const l of labels) {
    if (l.status !== "ok" || l.roundTrip?.kept === false) continue;
    let rel: number | undefined;
    if (l.kind === "relevance" || l.kind === "document") rel = l.grade;
    else if (l.kind === "utility") rel = l.utility ? 1 : 0;
    else if (l.kind === "query") rel = 1;
    if (rel === undefined) continue;
    let row = qrels.get(l.queryId);
    if (!row) qrels.set(l.queryId, (row = new Map()));
    row.set(l.docId, rel);
  }
  return qrels;
}

/** Deterministic order: query id, then doc id, then kind. */
export function sortLabels(labels: LabelRecord[]): LabelRecord[] {
  const key = (l: LabelRecord) => `${l.queryId}\u0000${l.docId}\u0000${l.kind}`;
  return labels.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function labelsJsonl(labels: readonly LabelRecord[]): string {
  return labels.map((l) => JSON.stringify(l)).join("\n") + (labels.length ? "\n" : "");
}

export interface WrittenLabels {
  labelsPath: string;
  qrelsTrecPath: string;
  qrelsTsvPath: string;
  ok: number;
  failed: number;
}

export async function writeLabelsDir(dir: string, input: LabelRecord[]): Promise<WrittenLabels> {
  await mkdir(dir, { recursive: true });
  const labels = sortLabels([...input]);
  const labelsPath = join(dir, "labels.jsonl");
  await writeDataAtomically(labelsPath, labelsJsonl(labels));
  const qrels = qrelsFromLabels(labels);
  const qrelsTrecPath = join(dir, "qrels.trec");
  const qrelsTsvPath = join(dir, "qrels.tsv");
  await writeTrecQrels(qrelsTrecPath, qrels);
  await writeBeirQrels(qrelsTsvPath, qrels);
  const synthQueries = labels.filter(
    (l) => l.kind === "query" && l.status === "ok" && l.text && l.roundTrip?.kept !== false,
  );
  if (synthQueries.length) {
    await writeBeirQueries(
      join(dir, "queries.jsonl"),
      synthQueries.map((l) => ({
        id: l.queryId,
        text: l.text!,
        metadata: { type: l.queryType, source: l.docId },
      })),
    );
  }
  const synthDocs = labels.filter((l) => l.kind === "document" && l.status === "ok" && l.text);
  if (synthDocs.length) {
    await writeBeirCorpus(
      join(dir, "corpus.jsonl"),
      synthDocs.map((l) => ({ id: l.docId, title: "", text: l.text!, metadata: { level: l.grade } })),
    );
  }
  const failed = labels.filter((l) => l.status === "failed").length;
  return { labelsPath, qrelsTrecPath, qrelsTsvPath, ok: labels.length - failed, failed };
}
