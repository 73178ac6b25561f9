/**
 * Training data assembly: from a validated job spec to the training-set artifact. Reads the collection
 * and the label sources (checking every id), builds each query's positives, mines hard negatives from
 * BM25 and/or dense runs in their rank windows, filters false negatives, adds STAR random negatives and
 * teacher scores, plans TAS-Balanced batches, and writes the artifact with its statistics atomically.
 */
import { documentText } from "@ferret/encoder";
import type { Run } from "@ferret/datasets";
import type { Logger } from "@ferret/logging";
import { EmptyTrainingSetError } from "../errors.js";
import { loadCollection, readCheckedQrels, type Collection } from "./collection.js";
import { filterFalseNegatives, needsTeacherScores, type FilterReason } from "./false-negative-filter.js";
import {
  candidatesInWindow,
  mergeCandidates,
  type NegativeCandidate,
  type NegativeSource,
} from "./hard-negatives.js";
import { readLlmLabels, type LlmLabels } from "./label-file.js";
import type { LoadedJobSpec } from "./load-spec.js";
import { assemblePositives, type StagedQuery } from "./positives.js";
import { randomNegatives } from "./random-negatives.js";
import { sample, seededRandom } from "./random.js";
import { bm25Run, denseRunFromFile, denseRunFromModel } from "./retriever-runs.js";
import type { JobSpec, RetrieverNegativesSpec } from "./spec.js";
import { clusterQueries, planTasBalancedBatches, type QueryClusters } from "./tas-balanced.js";
import { openTeacher, type Teacher, type TeacherPair } from "./teacher.js";
import { writeTrainingSet, type BatchRecord, type TrainingRecord } from "./training-set-format.js";
import { trainingSetStats, type AssemblyCounts, type TrainingSetStats } from "./training-set-stats.js";
import { loadTrainingQueries, type TrainingQuery } from "./training-queries.js";

export interface AssembleResult {
  outputDir: string;
  records: TrainingRecord[];
  batches?: BatchRecord[] | undefined;
  stats: TrainingSetStats;
}

export interface AssembleOptions {
  /** Overrides the spec's output directory. */
  outputDir?: string;
  log?: Logger;
}

export async function assembleTrainingSet(
  loaded: LoadedJobSpec,
  options: AssembleOptions = {},
): Promise<AssembleResult> {
  const { spec } = loaded;
  const log = options.log;
  const outputDir = options.outputDir ?? loaded.outputDir;
  const collection = await loadCollection(spec.corpus);
  log?.info({ documents: collection.docs.size, queries: collection.queries.size }, "collection read");
  const { queries, splitQrels } = await loadTrainingQueries(collection, spec.queries);
  const trainingIds = new Set(queries.map((q) => q.id));
  const known = (qid: string): boolean => trainingIds.has(qid) || collection.queries.has(qid);

  const humanSpec = spec.positives.human;
  const humanQrels = humanSpec
    ? humanSpec.qrels !== undefined
      ? await readCheckedQrels(humanSpec.qrels, collection, known)
      : splitQrels
    : undefined;
  let labels: LlmLabels | undefined;
  if (spec.positives.llm) {
    const llm = spec.positives.llm;
    labels = await readLlmLabels(llm.labels, llm.mode, collection, { has: (q) => trainingIds.has(q), known });
  }
  const positives = assemblePositives(queries, {
    human: humanQrels && humanSpec ? { qrels: humanQrels, minGrade: humanSpec.minGrade } : undefined,
    llm:
      labels && spec.positives.llm
        ? { labels, minGrade: spec.positives.llm.minGrade, mode: spec.positives.llm.mode }
        : undefined,
    combine: spec.positives.combine,
    humanFraction: spec.positives.humanFraction,
    seed: spec.seed,
  });
  if (positives.staged.length === 0)
    throw new EmptyTrainingSetError(
      `${loaded.file}: no training query has a positive (${queries.length} queries, none with a positive from the spec's sources)`,
      { file: loaded.file, queries: queries.length },
    );

  const withPositives = uniqueQueries(positives.staged);
  const runs = await retrieverRuns(spec, collection, withPositives);
  log?.info({ queries: withPositives.length, runs: [...runs.keys()] }, "negatives retrieved");

  const counts: AssemblyCounts = {
    queries: {
      split: queries.filter((q) => q.origin === "split").length,
      synthetic: queries.filter((q) => q.origin === "synthetic").length,
      withoutPositives: positives.withoutPositives.length,
    },
    positivesRemovedFromWindows: 0,
    falseNegatives: { skipTop: 0, maxTeacherScore: 0, relativeMargin: 0 },
    teacherPairsScored: 0,
    labels: labels?.stats,
  };
  const teacher = spec.teacher ? await openTeacher(spec.teacher) : undefined;
  let records: TrainingRecord[];
  try {
    const scorer = teacher ? new CachedTeacher(teacher) : undefined;
    records = [];
    for (const staged of positives.staged) {
      records.push(await buildRecord(staged, spec, collection, runs, positives.excluded, scorer, counts));
    }
    counts.teacherPairsScored = scorer?.scored ?? 0;
  } finally {
    await teacher?.close();
  }

  let batches: BatchRecord[] | undefined;
  if (spec.batching) {
    const b = spec.batching;
    const clusters: QueryClusters = await clusterQueries(b.encoder, uniqueQueries(positives.staged), {
      clusters: b.clusters,
      seed: spec.seed,
      iterations: b.iterations,
    });
    counts.clusters = { clusters: clusters.clusters, iterations: clusters.iterations };
    batches = planTasBalancedBatches(records, clusters.clusterOf, {
      batchSize: b.batchSize,
      epochs: b.epochs,
      bins: b.bins,
      seed: spec.seed,
    });
  }
  const stats = trainingSetStats(records, counts, batches);
  await writeTrainingSet(outputDir, { records, batches, stats, spec });
  log?.info({ outputDir, records: records.length, negatives: stats.negatives.total }, "training set written");
  return { outputDir, records, batches, stats };
}

function uniqueQueries(staged: readonly StagedQuery[]): TrainingQuery[] {
  const seen = new Map<string, TrainingQuery>();
  for (const s of staged) if (!seen.has(s.query.id)) seen.set(s.query.id, s.query);
  return [...seen.values()];
}

type Runs = Map<NegativeSource, { run: Run; spec: RetrieverNegativesSpec }>;

async function retrieverRuns(spec: JobSpec, collection: Collection, queries: TrainingQuery[]): Promise<Runs> {
  const runs: Runs = new Map();
  const { bm25, dense } = spec.negatives;
  if (bm25)
    runs.set("bm25", {
      run: await bm25Run(collection, queries, { k: bm25.window[1], k1: bm25.k1, b: bm25.b }),
      spec: bm25,
    });
  if (dense) {
    const run =
      dense.run !== undefined
        ? await denseRunFromFile(dense.run, collection)
        : await denseRunFromModel(collection, queries, { model: dense.model!, k: dense.window[1] });
    runs.set("dense", { run, spec: dense });
  }
  return runs;
}

/** Teacher scores memoised per (query, document), so curriculum stages and filters score a pair once. */
class CachedTeacher {
  private readonly cache = new Map<string, number>();
  scored = 0;
  constructor(private readonly teacher: Teacher) {}

  async scores(
    query: TrainingQuery,
    docIds: readonly string[],
    collection: Collection,
  ): Promise<Map<string, number>> {
    const key = (docId: string): string => `${query.id}\u0000${docId}`;
    const missing = [...new Set(docIds)].filter((d) => !this.cache.has(key(d)));
    if (missing.length) {
      const pairs: TeacherPair[] = missing.map((docId) => ({
        queryId: query.id,
        query: query.text,
        docId,
        passage: documentText(collection.docs.get(docId)!),
      }));
      const scores = await this.teacher.score(pairs);
      missing.forEach((d, i) => this.cache.set(key(d), scores[i]!));
      this.scored += missing.length;
    }
    return new Map(docIds.map((d) => [d, this.cache.get(key(d))!]));
  }
}

async function buildRecord(
  staged: StagedQuery,
  spec: JobSpec,
  collection: Collection,
  runs: Runs,
  excludedByQuery: Map<string, Set<string>>,
  teacher: CachedTeacher | undefined,
  counts: AssemblyCounts,
): Promise<TrainingRecord> {
  const { query } = staged;
  const excluded = excludedByQuery.get(query.id) ?? new Set<string>();
  const filterNeedsTeacher = needsTeacherScores(spec.falseNegatives);
  const positiveIds = staged.positives.map((p) => p.id);
  const lists: NegativeCandidate[][] = [];
  for (const [source, { run, spec: rs }] of runs) {
    const windowed = candidatesInWindow(source, run.get(query.id), rs.window, excluded);
    counts.positivesRemovedFromWindows += windowed.positivesRemoved;
    let teacherInput: { scores: Map<string, number>; positiveScores: number[] } | undefined;
    if (teacher && filterNeedsTeacher) {
      const scores = await teacher.scores(
        query,
        [...positiveIds, ...windowed.candidates.map((c) => c.id)],
        collection,
      );
      teacherInput = { scores, positiveScores: positiveIds.map((id) => scores.get(id)!) };
    }
    const filtered = filterFalseNegatives(windowed.candidates, spec.falseNegatives, teacherInput);
    for (const d of filtered.dropped) counts.falseNegatives[d.reason as FilterReason]++;
    const random = seededRandom(spec.seed, "pick", source, staged.stage, query.id);
    lists.push(
      rs.pick === "top" ? filtered.kept.slice(0, rs.count) : sample(filtered.kept, rs.count, random),
    );
  }
  const negatives = mergeCandidates(lists);
  if (spec.negatives.random) {
    const avoid = new Set([...excluded, ...positiveIds, ...negatives.map((n) => n.id)]);
    negatives.push(
      ...randomNegatives(
        collection.docIds,
        spec.negatives.random.count,
        avoid,
        spec.seed,
        `${staged.stage}:${query.id}`,
      ),
    );
  }
  const distilled =
    spec.distill && teacher
      ? await teacher.scores(query, [...positiveIds, ...negatives.map((n) => n.id)], collection)
      : undefined;
  const text = (id: string): string => documentText(collection.docs.get(id)!);
  return {
    qid: query.id,
    stage: staged.stage,
    query: query.text,
    positives: staged.positives.map((p) => ({
      id: p.id,
      text: text(p.id),
      grade: p.grade,
      sources: p.sources,
      ...(distilled ? { teacher: distilled.get(p.id)! } : {}),
    })),
    negatives: negatives.map((n) => ({
      id: n.id,
      text: text(n.id),
      source: n.source,
      rank: n.rank,
      score: n.score,
      ...(distilled ? { teacher: distilled.get(n.id)! } : {}),
    })),
  };
}
