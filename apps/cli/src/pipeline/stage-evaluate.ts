/**
 * evaluate: every system's run on the test queries, written as TREC run files (runs/<id>.trec) with
 * systems.json naming them: BM25, the base dense model, the trained model (its corpus index built by the
 * encoder's index job), hybrids of each dense model with BM25 whose α is picked on the train or dev
 * split (never on test: the spec refuses it), and cross-encoder reranking of a first stage. The report
 * stage scores the files.
 */
import { basename, join } from "node:path";
import {
  readBeirQrels,
  readBeirQueries,
  writeTrecRun,
  type Qrels,
  type QueryRecord,
  type Run,
} from "@ferret/datasets";
import { denseSearch, loadDenseIndex } from "@ferret/encoder";
import { evaluate } from "@ferret/evaluator";
import { interpolate } from "@ferret/fusion";
import { BiEncoder } from "@ferret/inference";
import { EmbeddedBm25 } from "@ferret/retrieval";
import { writeDataAtomically } from "@ferret/datasets";
import { buildDenseIndex } from "./dense-index.js";
import type { PipelineSpec } from "./pipeline-spec.js";
import { BASE_DENSE_INDEX, BM25_INDEX } from "./stage-ingest.js";
import { TRAINED_MODEL } from "./stage-train.js";
import type { StageContext, StageDefinition } from "./stages.js";

export const SYSTEMS_FILE = "systems.json";
export const RUNS_DIR = "runs";

export interface EvaluatedSystem {
  /** File-safe id: runs/<id>.trec. */
  id: string;
  name: string;
  description: string;
  run: string;
}

export interface HybridTuning {
  system: string;
  split: string;
  measure: string;
  /** The measure's mean on the tuning split for each α tried. */
  sweep: { alpha: number; value: number }[];
  alpha: number;
}

export interface SystemsFile {
  systems: EvaluatedSystem[];
  tuning: HybridTuning[];
  /** The system the report's ROC diagnostics are for (the trained model when there is one). */
  rocSystem?: string;
}

/** Hits per query: enough for recall@100, the recall curve and the rerank depth. */
function hitsOf(spec: PipelineSpec): number {
  return Math.max(100, ...spec.stages.evaluate.recallCurve, spec.baselines.rerank?.depth ?? 0);
}

async function splitQueries(
  all: Map<string, QueryRecord>,
  dir: string,
  split: string,
): Promise<{ qrels: Qrels; queries: QueryRecord[] }> {
  const qrels = await readBeirQrels(join(dir, "qrels", `${split}.tsv`));
  return { qrels, queries: [...qrels.keys()].flatMap((id) => (all.has(id) ? [all.get(id)!] : [])) };
}

interface DenseSystem {
  id: string;
  name: string;
  description: string;
  modelDir: string;
  indexDir: string;
}

export const evaluateStage: StageDefinition = {
  name: "evaluate",
  title: "evaluate: runs of every system",
  enabled: () => true,
  needs: ({ spec }) => (spec.stages.train ? ["ingest", "train"] : ["ingest"]),
  keyInputs: ({ spec }) => {
    const tune = spec.baselines.hybrid ? spec.dataset[spec.baselines.hybrid.tuneOn] : undefined;
    return {
      config: { baselines: spec.baselines, hits: hitsOf(spec), test: spec.dataset.test, tune },
      paths: {
        queries: join(spec.dataset.dir, "queries.jsonl"),
        test: join(spec.dataset.dir, "qrels", `${spec.dataset.test}.tsv`),
        ...(tune ? { tune: join(spec.dataset.dir, "qrels", `${tune}.tsv`) } : {}),
        ...(spec.baselines.rerank
          ? { rerank: spec.baselines.rerank.model, corpus: join(spec.dataset.dir, "corpus.jsonl") }
          : {}),
      },
    };
  },
  run: evaluateSystems,
};

async function evaluateSystems(ctx: StageContext): Promise<Record<string, unknown>> {
  const { spec } = ctx.pipeline;
  const { dataset, baselines } = spec;
  const k = hitsOf(spec);
  const all = new Map<string, QueryRecord>();
  for await (const q of readBeirQueries(join(dataset.dir, "queries.jsonl"))) all.set(q.id, q);
  const test = await splitQueries(all, dataset.dir, dataset.test);
  const tuneSplit = baselines.hybrid ? dataset[baselines.hybrid.tuneOn] : undefined;
  const tune = tuneSplit === undefined ? undefined : await splitQueries(all, dataset.dir, tuneSplit);

  const ingest = ctx.upstream("ingest").dir;
  const dense: DenseSystem[] = [];
  if (baselines.dense) {
    const name = basename(baselines.dense.model);
    dense.push({
      id: "base",
      name,
      description: `base dense model ${name}, exact search`,
      modelDir: baselines.dense.model,
      indexDir: join(ingest, BASE_DENSE_INDEX),
    });
  }
  const trained = spec.stages.train !== undefined;
  const steps = 1 + dense.length + (trained ? 2 : 0) + (baselines.rerank ? 1 : 0);
  let done = 0;
  const step = (): void => ctx.progress(++done, steps, "systems");
  ctx.progress(0, steps, "systems");

  const systems: EvaluatedSystem[] = [];
  const tuning: HybridTuning[] = [];
  const runs = new Map<string, Run>();
  const add = async (system: Omit<EvaluatedSystem, "run">, run: Run): Promise<void> => {
    const file = join(RUNS_DIR, `${system.id}.trec`);
    await writeTrecRun(join(ctx.dir, file), run, { tag: `ferret-${system.id}` });
    systems.push({ ...system, run: file });
    runs.set(system.id, run);
  };

  const bm25 = await EmbeddedBm25.load(join(ingest, BM25_INDEX));
  let bm25Tune: Run | undefined;
  try {
    const bm25Test = await bm25.searchBatch(test.queries, { k });
    if (tune) bm25Tune = await bm25.searchBatch(tune.queries, { k });
    runs.set("bm25", bm25Test);
    if (baselines.bm25)
      await add(
        {
          id: "bm25",
          name: "BM25",
          description: `BM25 (k1 ${baselines.bm25.k1}, b ${baselines.bm25.b}), embedded index`,
        },
        bm25Test,
      );
    step();
  } finally {
    await bm25.close();
  }

  if (trained) {
    const modelDir = join(ctx.upstream("train").dir, TRAINED_MODEL);
    const indexDir = join(ctx.dir, "dense-trained");
    await buildDenseIndex({
      bus: ctx.bus,
      jobId: `evaluate-${ctx.key.slice(0, 16)}`,
      modelDir,
      corpusDir: dataset.dir,
      outDir: indexDir,
      onProgress: (d, t) => ctx.progress(done + d / Math.max(t, 1), steps, "systems"),
    });
    step();
    dense.push({
      id: "trained",
      name: "trained",
      description: "the model the train stage fine-tuned, exact search",
      modelDir,
      indexDir,
    });
  }

  for (const system of dense) {
    const encoder = await BiEncoder.load(system.modelDir);
    try {
      const { index } = await loadDenseIndex(system.indexDir);
      const denseTest = await denseSearch(encoder, index, test.queries, k);
      await add(system, denseTest);
      if (baselines.hybrid && tune && bm25Tune) {
        const { alphas, measure } = baselines.hybrid;
        const denseTune = await denseSearch(encoder, index, tune.queries, k);
        const sweep = alphas.map((alpha) => ({
          alpha,
          value:
            evaluate(interpolate(denseTune, bm25Tune!, alpha, { topK: k }), tune.qrels, [measure], {
              completeQueries: true,
            }).mean[measure] ?? 0,
        }));
        // The first α with the best value: ties go to the smaller weight on the dense run.
        const best = sweep.reduce((a, b) => (b.value > a.value ? b : a));
        tuning.push({ system: `${system.id}-hybrid`, split: tuneSplit!, measure, sweep, alpha: best.alpha });
        await add(
          {
            id: `${system.id}-hybrid`,
            name: `${system.name} + BM25 (α ${best.alpha})`,
            description: `α·${system.name} + (1 − α)·BM25 after min-max normalization, α = ${best.alpha} picked by ${measure} on ${tuneSplit}`,
          },
          interpolate(denseTest, runs.get("bm25")!, best.alpha, { topK: k }),
        );
      }
    } finally {
      await encoder.close();
    }
    step();
  }

  if (baselines.rerank) {
    const { model, depth, first } = baselines.rerank;
    const firstId = first === "bm25" ? "bm25" : first === "dense" ? "base" : "base-hybrid";
    const { CrossEncoderScorer, loadBeirTexts, rerankCandidates, rerankRun } = await import("@ferret/ranker");
    const firstRun = runs.get(firstId)!;
    const scorer = await CrossEncoderScorer.load(model);
    try {
      const docIds = new Set<string>();
      for (const ids of rerankCandidates(firstRun, depth).values()) for (const id of ids) docIds.add(id);
      const texts = await loadBeirTexts(dataset.dir, docIds);
      const result = await rerankRun(firstRun, texts, scorer, { depth });
      await add(
        {
          id: `${firstId}-rerank`,
          name: `${first === "bm25" ? "BM25" : firstId} → ${basename(model)}`,
          description: `top ${depth} of ${firstId} reranked by the cross-encoder ${basename(model)}`,
        },
        result.run,
      );
    } finally {
      await scorer.close();
    }
    step();
  }

  const out: SystemsFile = { systems, tuning, ...(trained ? { rocSystem: "trained" } : {}) };
  await writeDataAtomically(join(ctx.dir, SYSTEMS_FILE), `${JSON.stringify(out, null, 1)}\n`);
  return {
    systems: systems.map((s) => s.id),
    ...Object.fromEntries(tuning.map((t) => [`alpha:${t.system}`, t.alpha])),
  };
}
