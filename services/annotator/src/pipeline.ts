/**
 * One annotation run over a BEIR collection, as `ferret annotate <task>` does it: load corpus, queries
 * (of a split) and human qrels; build candidate pools (BM25 [+ dense: a run file or a live encoder]
 * top-k + human positives); turn them
 * into work items; run them as a job on the bus with a local worker (more replicas may share it),
 * watching it until it ends (a failed or cancelled job is a JobFailedError naming the cause); collect
 * the labels, apply the round-trip filter to synthetic queries, write the labels artifact and,
 * where human qrels exist, the agreement report.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  loadBeirDir,
  readBeirCorpus,
  readBeirQrels,
  readBeirQueries,
  readTrecRun,
  type DocumentRecord,
  type Qrels,
  type QueryRecord,
  type Run,
} from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import { waitForJob } from "@ferret/jobs";
import { createClient, type ClientTls } from "@ferret/grpc";
import { EncoderService } from "@ferret/proto";
import { EmbeddedBm25 } from "@ferret/retrieval";
import { agreementReport, type AgreementReport } from "./agreement.js";
import type { Annotator } from "./annotator.js";
import { candidatePools } from "./candidates.js";
import { encoderDenseRun } from "./dense-candidates.js";
import { collectLabels, progressOf } from "./jobs/annotation-progress.js";
import type { AnnotationStore } from "./jobs/annotation-store.js";
import { startAnnotationWorker } from "./jobs/annotation-worker.js";
import type { AnnotationProgress, AnnotationSpec } from "./jobs/job-types.js";
import { submitJob } from "./jobs/submit-job.js";
import { qrelsFromLabels, writeLabelsDir, type WrittenLabels } from "./label-output.js";
import { canonicalJson, sha256Hex } from "./label-cache.js";
import { applyRoundTrip } from "./round-trip.js";
import type { RelevanceLevel } from "./tasks/graded-documents.js";
import type { PassageText } from "./tasks/passage-format.js";
import type { QueryStyle, QueryType } from "./tasks/synthetic-queries.js";
import type { WorkItem } from "./work-items.js";

export type AnnotateTaskName = "relevance" | "utility" | "queries" | "documents";

export interface AnnotateCollectionOptions {
  task: AnnotateTaskName;
  /** BEIR directory with corpus.jsonl. */
  corpus: string;
  /** BEIR directory with queries.jsonl and qrels/ (default: the corpus directory). */
  queries?: string;
  /** Only queries of this split's qrels (and its human positives for pools/agreement). */
  split?: string;
  /** Candidates per retriever. Default 20. */
  candidates?: number;
  /** At most this many queries (queries task: passages). */
  limit?: number;
  /** TREC run of a dense retriever to merge into the pools. */
  denseRun?: string;
  /** Or a live encoder: dense candidates from Encoder.Search over its index `index` (TLS: `tls`). */
  encoder?: { address: string; index: string; tls?: ClientTls | undefined };
  out: string;
  annotator: Annotator;
  store: AnnotationStore;
  jobId?: string;
  batchSize?: number;
  itemConcurrency?: number;
  utility?: { variant: "selection" | "ranking"; topPercent?: number };
  queryGen?: { type: QueryType; style: QueryStyle; roundTripK?: number };
  documentLevels?: RelevanceLevel[];
  pricing?: AnnotationSpec["pricing"];
  onProgress?: (progress: AnnotationProgress) => void;
  signal?: AbortSignal;
}

export interface AnnotateCollectionResult {
  jobId: string;
  progress: AnnotationProgress;
  written: WrittenLabels;
  agreement?: AgreementReport;
  roundTrip?: { kept: number; dropped: number };
}

async function liveDenseRun(
  encoder: { address: string; index: string; tls?: ClientTls | undefined },
  queries: readonly QueryRecord[],
  k: number,
): Promise<Run> {
  const client = createClient(EncoderService, encoder.address, { deadlineMs: 300_000, tls: encoder.tls });
  try {
    return await encoderDenseRun(client, encoder.index, queries, k);
  } finally {
    client.close();
  }
}

function passageOf(doc: DocumentRecord): PassageText {
  return { id: doc.id, ...(doc.title ? { title: doc.title } : {}), text: doc.text };
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of source) out.push(x);
  return out;
}

export async function annotateCollection(
  options: AnnotateCollectionOptions,
): Promise<AnnotateCollectionResult> {
  const corpusDir = await loadBeirDir(options.corpus);
  const queriesDir = options.queries ? await loadBeirDir(options.queries) : corpusDir;
  const docs = await collect(readBeirCorpus(corpusDir.corpusPath));
  const docById = new Map(docs.map((d) => [d.id, d]));
  let qrels: Qrels | undefined;
  if (options.split) {
    if (!queriesDir.splits.includes(options.split)) {
      throw new InvalidArgumentError(
        `split "${options.split}" not found; available: ${queriesDir.splits.join(", ") || "none"}`,
      );
    }
    qrels = await readBeirQrels(queriesDir.qrelsPath(options.split));
  }
  let queries: QueryRecord[] = [];
  if (options.task !== "queries") {
    queries = await collect(readBeirQueries(queriesDir.queriesPath));
    if (qrels) queries = queries.filter((q) => qrels!.has(q.id));
    if (options.limit !== undefined) queries = queries.slice(0, options.limit);
  }
  const k = options.candidates ?? 20;
  let bm25: EmbeddedBm25 | undefined;
  const needsBm25 =
    options.task === "relevance" || options.task === "utility" || options.queryGen?.roundTripK;
  if (needsBm25) bm25 = await EmbeddedBm25.build(docs);
  try {
    const items: WorkItem[] = [];
    if (options.task === "relevance" || options.task === "utility") {
      if (options.denseRun && options.encoder)
        throw new InvalidArgumentError("give a dense run or an encoder for dense candidates, not both");
      const dense = options.denseRun
        ? (await readTrecRun(options.denseRun)).run
        : options.encoder
          ? await liveDenseRun(options.encoder, queries, k)
          : undefined;
      const pools = await candidatePools({
        queries,
        bm25: bm25!,
        k,
        ...(dense ? { dense } : {}),
        ...(qrels ? { qrels } : {}),
      });
      for (const q of queries) {
        const passages = (pools.get(q.id) ?? []).flatMap((id) => {
          const d = docById.get(id);
          return d ? [passageOf(d)] : [];
        });
        const query = { id: q.id, text: q.text };
        if (options.task === "relevance")
          for (const passage of passages) items.push({ kind: "relevance", query, passage });
        else
          items.push({
            kind: "utility",
            query,
            passages,
            variant: options.utility?.variant ?? "selection",
            ...(options.utility?.topPercent !== undefined ? { topPercent: options.utility.topPercent } : {}),
          });
      }
    } else if (options.task === "queries") {
      const gen = options.queryGen ?? { type: "question" as const, style: "few-shot" as const };
      for (const d of docs.slice(0, options.limit ?? docs.length)) {
        items.push({ kind: "query", passage: passageOf(d), type: gen.type, style: gen.style });
      }
    } else {
      const levels = options.documentLevels ?? [3, 2, 1, 0];
      for (const q of queries)
        for (const level of levels)
          items.push({ kind: "document", query: { id: q.id, text: q.text }, level });
    }

    // The same command on the same inputs is the same job: a restart resumes it.
    const jobId = options.jobId ?? `${options.task}-${sha256Hex(canonicalJson(items)).slice(0, 16)}`;
    await submitJob(options.store, {
      jobId,
      kind: options.task,
      items,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.pricing ? { pricing: options.pricing } : {}),
    });
    const worker = startAnnotationWorker(options.store, options.annotator, {
      itemConcurrency: options.itemConcurrency ?? 8,
    });
    let progress: AnnotationProgress;
    try {
      const final = await waitForJob(
        options.store.jobs.watch(jobId, options.signal ? { signal: options.signal } : {}),
        (record) => options.onProgress?.(progressOf(record)),
      );
      progress = progressOf(final);
    } finally {
      await worker.stop();
    }

    let labels = await collectLabels(options.store, jobId);
    let roundTrip: AnnotateCollectionResult["roundTrip"];
    if (options.task === "queries" && options.queryGen?.roundTripK && bm25) {
      labels = await applyRoundTrip(labels, bm25, options.queryGen.roundTripK);
      const checked = labels.filter((l) => l.roundTrip);
      roundTrip = {
        kept: checked.filter((l) => l.roundTrip!.kept).length,
        dropped: checked.filter((l) => !l.roundTrip!.kept).length,
      };
    }
    const written = await writeLabelsDir(options.out, labels);
    let agreement: AgreementReport | undefined;
    if (qrels && (options.task === "relevance" || options.task === "utility")) {
      // Utility labels are binary: compare with human relevance binarised at 1.
      const human =
        options.task === "utility"
          ? new Map([...qrels].map(([q, m]) => [q, new Map([...m].map(([d, r]) => [d, r > 0 ? 1 : 0]))]))
          : qrels;
      agreement = agreementReport(human, qrelsFromLabels(labels));
      await writeFile(join(options.out, "agreement.json"), `${JSON.stringify(agreement, null, 2)}\n`);
    }
    await writeFile(
      join(options.out, "job.json"),
      `${JSON.stringify({ ...progress, roundTrip }, null, 2)}\n`,
    );
    return {
      jobId,
      progress,
      written,
      ...(agreement ? { agreement } : {}),
      ...(roundTrip ? { roundTrip } : {}),
    };
  } finally {
    await bm25?.close();
  }
}
