/**
 * Serving and scoring a model on SciFact test for the trainer's cross-service tests: the test queries and
 * their qrels (BEIR, ../shared/data/scifact), an exact index of a BEIR dir built through IndexCorpus, an
 * Encoder client's search of every test query (exact, top 10) and the Evaluator's nDCG@10 of that run over
 * gRPC (trec_eval -c semantics: a query without results counts as zero), from an embedded evaluator.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readBeirQueries } from "@ferret/datasets";
import { loadEvaluatorConfig, startEvaluator, type RunningEvaluator } from "@ferret/evaluator";
import type { ServiceClient } from "@ferret/grpc";
import type { EncoderService, EvaluatorService, IndexCorpusUpdate, Run } from "@ferret/proto";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Where BEIR SciFact lies (read-only): shared/data beside the repository. */
export const DATA_ROOT = process.env["FERRET_DATA_DIR"] ?? resolve(REPO_ROOT, "../shared/data");
export const SCIFACT_DIR = resolve(DATA_ROOT, "scifact");

export interface TestSplit {
  queries: { id: string; text: string }[];
  /** The test qrels as TREC qrels text (`qid 0 docid rel`). */
  qrelsTrec: string;
}

export async function scifactTestSplit(): Promise<TestSplit> {
  const rows = (await readFile(resolve(SCIFACT_DIR, "qrels", "test.tsv"), "utf8"))
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => l.split("\t"));
  const judged = new Set(rows.map((r) => r[0]!));
  const queries: { id: string; text: string }[] = [];
  for await (const q of readBeirQueries(resolve(SCIFACT_DIR, "queries.jsonl")))
    if (judged.has(q.id)) queries.push({ id: q.id, text: q.text });
  return { queries, qrelsTrec: rows.map((r) => `${r[0]} 0 ${r[1]} ${r[2]}`).join("\n") + "\n" };
}

/** The serving model's top 10 for every test query from `index` (exact search). */
export async function searchTest(
  encoder: ServiceClient<typeof EncoderService>,
  index: string,
  split: TestSplit,
): Promise<{ run: Run; model: string }> {
  const response = await encoder.search({
    index,
    queries: split.queries.map((q) => ({ ...q, metadata: {} })),
    k: 10,
    exact: true,
    hybrid: undefined,
    removeQuery: false,
    name: "",
    indexArtifact: undefined,
  });
  return { run: response.run!, model: response.model };
}

/** nDCG@10 of `run` on the test qrels, from the Evaluator service. */
export async function ndcgAt10(
  evaluator: ServiceClient<typeof EvaluatorService>,
  run: Run,
  split: TestSplit,
): Promise<{ mean: number; queries: number }> {
  const response = await evaluator.evaluate({
    run: { source: { $case: "run", value: run } },
    qrels: { source: { $case: "trecText", value: split.qrelsTrec } },
    measures: ["ndcg@10"],
    options: { relevanceThreshold: 0, completeQueries: true },
  });
  return { mean: response.means["ndcg_cut_10"]!, queries: response.numQueries };
}

/** IndexCorpus of BEIR dir `beirDir` (under the encoder's corpora root) as an exact index; the last update. */
export async function indexBeirDir(
  encoder: ServiceClient<typeof EncoderService>,
  index: string,
  beirDir: string,
  model?: string,
): Promise<IndexCorpusUpdate | undefined> {
  let last: IndexCorpusUpdate | undefined;
  for await (const u of encoder.indexCorpus({
    index,
    beirDir,
    documents: [],
    shardSize: 256,
    kind: 1, // INDEX_KIND_EXACT
    jobId: "",
    model: model === undefined ? undefined : { name: model, version: "", artifact: undefined },
    quantized: false,
    corpus: undefined,
  }))
    last = u;
  return last;
}

/** An embedded Evaluator on a free loopback port (no jobs, artifacts under `dir`). */
export function startTestEvaluator(dir: string): Promise<RunningEvaluator> {
  return startEvaluator(
    loadEvaluatorConfig({
      env: {
        FERRET_EVALUATOR_GRPC__HOST: "127.0.0.1",
        FERRET_EVALUATOR_GRPC__PORT: "0",
        FERRET_EVALUATOR_METRICS__ENABLED: "false",
        FERRET_EVALUATOR_ARTIFACTS__DIR: dir,
        FERRET_EVALUATOR_JOBS__ENABLED: "false",
        FERRET_LOG_LEVEL: "silent",
      },
    }),
  );
}
