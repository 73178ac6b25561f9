/**
 * The labels dataset of a finished bus job, published to the results object store: `<job>/labels.jsonl`
 * (every label with provenance, failed ones included) and `<job>/qrels.trec` (graded qrels), written by
 * the same exporters as the CLI's output directory. Labels are sorted (query id, doc id, kind), so a
 * redelivered completion puts identical bytes under the same names.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ArtifactRef } from "@ferret/proto";
import { writeLabelsDir } from "../label-output.js";
import { collectLabels } from "./annotation-progress.js";
import type { AnnotationStore } from "./annotation-store.js";

export interface PublishedLabels {
  /** labels.jsonl, then qrels.trec. */
  outputs: ArtifactRef[];
  /** The labels.jsonl artifact (AnnotationCompleted.labels). */
  labels: ArtifactRef;
  ok: number;
  failed: number;
}

export function labelsObjectName(jobId: string): string {
  return `${jobId}/labels.jsonl`;
}

export function qrelsObjectName(jobId: string): string {
  return `${jobId}/qrels.trec`;
}

export async function publishJobLabels(store: AnnotationStore, jobId: string): Promise<PublishedLabels> {
  const labels = await collectLabels(store, jobId);
  // The exporters write files atomically; a scratch directory lets the bus copy reuse them unchanged.
  const dir = await mkdtemp(join(tmpdir(), `annotator-${jobId}-`));
  try {
    const written = await writeLabelsDir(dir, labels);
    const put = async (name: string, path: string, mediaType: string): Promise<ArtifactRef> => {
      const info = await store.results.put(name, createReadStream(path), {
        description: `annotation job ${jobId} labels dataset`,
        metadata: { job: jobId },
      });
      return {
        bucket: store.results.bucket,
        name: info.name,
        sha256: info.sha256,
        size: info.size,
        mediaType,
      };
    };
    const labelsRef = await put(labelsObjectName(jobId), written.labelsPath, "application/x-ndjson");
    const qrelsRef = await put(qrelsObjectName(jobId), written.qrelsTrecPath, "text/plain");
    return { outputs: [labelsRef, qrelsRef], labels: labelsRef, ok: written.ok, failed: written.failed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
