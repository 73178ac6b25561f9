/**
 * Training data assembly: from a validated job spec to the training-set artifact. Reads the collection
 * and the label sources (checking every id), builds each query's positives, mines hard negatives from
 * BM25 and/or dense runs in their rank windows, filters false negatives, adds STAR random negatives and
 * teacher scores, plans TAS-Balanced batches, and writes the artifact with its statistics atomically.
 */
import type { Run } from "@ferret/datasets";
import type { ClientTls } from "@ferret/grpc";
import type { Logger } from "@ferret/logging";
import { EmptyTrainingSetError } from "../errors.js";
import { documentText, readCheckedQrels, type Collection } from "./collection.js";
import { CorpusCache } from "./corpus-cache.js";
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
import { bm25Run, denseRunFromEncoder, denseRunFromFile } from "./retriever-runs.js";
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
  /** TLS to the live encoders specs name (negatives.dense.encoder); default plaintext. */
  encoderTls?: ClientTls | undefined;
  /** Keeps collections and BM25 indexes for later assemblies; without one they are built and dropped. */
  cache?: CorpusCache;
  log?: Logger;
}

export async function assembleTrainingSet(
  loaded: LoadedJobSpec,
  options: AssembleOptions = {},
): Promise<AssembleResult> {
  const log = options.log;
  const outputDir = options.outputDir ?? loaded.outputDir;
  const cache = options.cache ?? new CorpusCache();
  try {
    return await assemble(loaded, cache, outputDir, log, options.encoderTls);
  } finally {
    if (!options.cache) await cache.close();
  }
}

async function assemble(
  loaded: LoadedJobSpec,
  cache: CorpusCache,
  outputDir: string,
  log: Logger | undefined,
  encoderTls: ClientTls | undefined,
): Promise<AssembleResult> {
  const { spec } = loaded;
  const collection = await cache.collection(spec.corpus);
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
  const runs = await retrieverRuns(spec, collection, withPositives, cache, encoderTls);
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
    const scorer = teacher ? new CachedTeacher(teacher, collection) : undefined;
    records = await buildRecords(
      positives.staged,
      spec,
      collection,
      runs,
      positives.excluded,
      scorer,
      counts,
    );
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

async function retrieverRuns(
  spec: JobSpec,
  collection: Collection,
  queries: TrainingQuery[],
  cache: CorpusCache,
  encoderTls: ClientTls | undefined,
): Promise<Runs> {
  const runs: Runs = new Map();
  const { bm25, dense } = spec.negatives;
  if (bm25)
    runs.set("bm25", {
      run: await bm25Run(await cache.bm25(spec.corpus, bm25), queries, bm25.window[1]),
      spec: bm25,
    });
  if (dense) {
    const run =
      dense.run !== undefined
        ? await denseRunFromFile(dense.run, collection)
        : await denseRunFromEncoder(dense.encoder!, queries, dense.window[1], collection, encoderTls);
    runs.set("dense", { run, spec: dense });
  }
  return runs;
}

/**
 * Teacher scores memoised per (query, document), so curriculum stages and filters score a pair once.
 * Pairs are scored in bulk (one model call per chunk of many queries' pairs): per-query calls of
 * ~20 pairs cost several times more on a busy CPU.
 */
class CachedTeacher {
  private readonly cache = new Map<string, number>();
  scored = 0;
  constructor(
    private readonly teacher: Teacher,
    private readonly collection: Collection,
  ) {}

  private static key(queryId: string, docId: string): string {
    return `${queryId}\u0000${docId}`;
  }

  async prefetch(wanted: Iterable<{ query: TrainingQuery; docIds: readonly string[] }>): Promise<void> {
    const pairs: TeacherPair[] = [];
    const queued = new Set<string>();
    for (const { query, docIds } of wanted) {
      for (const docId of docIds) {
        const key = CachedTeacher.key(query.id, docId);
        if (this.cache.has(key) || queued.has(key)) continue;
        queued.add(key);
        const doc = this.collection.docs.get(docId)!;
        pairs.push({ queryId: query.id, query: query.text, docId, passage: documentText(doc) });
      }
    }
    for (let i = 0; i < pairs.length; i += TEACHER_CHUNK) {
      const chunk = pairs.slice(i, i + TEACHER_CHUNK);
      const scores = await this.teacher.score(chunk);
      chunk.forEach((p, j) => this.cache.set(CachedTeacher.key(p.queryId, p.docId), scores[j]!));
    }
    this.scored += pairs.length;
  }

  /** Scores of prefetched pairs. */
  scores(query: TrainingQuery, docIds: readonly string[]): Map<string, number> {
    return new Map(docIds.map((d) => [d, this.cache.get(CachedTeacher.key(query.id, d))!]));
  }
}

const TEACHER_CHUNK = 2048;

interface Mined {
  staged: StagedQuery;
  excluded: Set<string>;
  windows: { source: NegativeSource; spec: RetrieverNegativesSpec; candidates: NegativeCandidate[] }[];
  negatives: NegativeCandidate[];
}

/**
 * Three passes so the teacher scores in bulk: mine each query's windows; score positives and
 * candidates (when a filter needs it), filter, pick and add random negatives; score what distillation
 * still lacks and write the records.
 */
async function buildRecords(
  stagedQueries: readonly StagedQuery[],
  spec: JobSpec,
  collection: Collection,
  runs: Runs,
  excludedByQuery: Map<string, Set<string>>,
  teacher: CachedTeacher | undefined,
  counts: AssemblyCounts,
): Promise<TrainingRecord[]> {
  const mined: Mined[] = stagedQueries.map((staged) => {
    const excluded = excludedByQuery.get(staged.query.id) ?? new Set<string>();
    const windows = [...runs].map(([source, { run, spec: rs }]) => {
      const windowed = candidatesInWindow(source, run.get(staged.query.id), rs.window, excluded);
      counts.positivesRemovedFromWindows += windowed.positivesRemoved;
      return { source, spec: rs, candidates: windowed.candidates };
    });
    return { staged, excluded, windows, negatives: [] };
  });
  const positiveIds = (m: Mined): string[] => m.staged.positives.map((p) => p.id);

  const filterNeedsTeacher = teacher !== undefined && needsTeacherScores(spec.falseNegatives);
  if (filterNeedsTeacher)
    await teacher.prefetch(
      mined.map((m) => ({
        query: m.staged.query,
        docIds: [...positiveIds(m), ...m.windows.flatMap((w) => w.candidates.map((c) => c.id))],
      })),
    );
  for (const m of mined) {
    const { query, stage } = m.staged;
    const lists: NegativeCandidate[][] = [];
    for (const w of m.windows) {
      let teacherInput: { scores: Map<string, number>; positiveScores: number[] } | undefined;
      if (filterNeedsTeacher) {
        const scores = teacher.scores(query, [...positiveIds(m), ...w.candidates.map((c) => c.id)]);
        teacherInput = { scores, positiveScores: positiveIds(m).map((id) => scores.get(id)!) };
      }
      const filtered = filterFalseNegatives(w.candidates, spec.falseNegatives, teacherInput);
      for (const d of filtered.dropped) counts.falseNegatives[d.reason as FilterReason]++;
      const random = seededRandom(spec.seed, "pick", w.source, stage, query.id);
      lists.push(
        w.spec.pick === "top"
          ? filtered.kept.slice(0, w.spec.count)
          : sample(filtered.kept, w.spec.count, random),
      );
    }
    m.negatives = mergeCandidates(lists);
    if (spec.negatives.random) {
      const avoid = new Set([...m.excluded, ...positiveIds(m), ...m.negatives.map((n) => n.id)]);
      m.negatives.push(
        ...randomNegatives(
          collection.docIds,
          spec.negatives.random.count,
          avoid,
          spec.seed,
          `${stage}:${query.id}`,
        ),
      );
    }
  }

  const distill = spec.distill && teacher !== undefined;
  if (distill)
    await teacher.prefetch(
      mined.map((m) => ({
        query: m.staged.query,
        docIds: [...positiveIds(m), ...m.negatives.map((n) => n.id)],
      })),
    );
  const text = (id: string): string => documentText(collection.docs.get(id)!);
  return mined.map((m) => {
    const { query, stage, positives } = m.staged;
    const scores = distill
      ? teacher.scores(query, [...positiveIds(m), ...m.negatives.map((n) => n.id)])
      : undefined;
    return {
      qid: query.id,
      stage,
      query: query.text,
      positives: positives.map((p) => ({
        id: p.id,
        text: text(p.id),
        grade: p.grade,
        sources: p.sources,
        ...(scores ? { teacher: scores.get(p.id)! } : {}),
      })),
      negatives: m.negatives.map((n) => ({
        id: n.id,
        text: text(n.id),
        source: n.source,
        rank: n.rank,
        score: n.score,
        ...(scores ? { teacher: scores.get(n.id)! } : {}),
      })),
    };
  });
}
