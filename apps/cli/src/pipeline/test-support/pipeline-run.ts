/**
 * What the embedded-run tests share: a SciFact subset, a trainable tiny model, a pipeline spec over them
 * with every baseline, the built CLI started as a child process (in its own process group, so a SIGKILL
 * can take the engine down with it, as a crash would), and trec_eval's values (pytrec_eval in the repo's
 * .venv) for a run file.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { REAL_ENGINE_DIR, VENV_PYTHON, makeTrainableModel, requireVenv } from "@ferret/trainer/testing";
import { CLI_DIR, REPO_ROOT } from "../../test-support/ferret-process.js";
import { scifactSubset } from "./scifact-subset.js";

export interface PipelineFixture {
  root: string;
  data: string;
  trainable: string;
}

export async function pipelineFixture(root: string): Promise<PipelineFixture> {
  requireVenv();
  const { dir } = await scifactSubset({ train: 24, dev: 12, test: 30, extraDocs: 300 });
  return { root, data: dir, trainable: makeTrainableModel(root) };
}

/**
 * A spec with BM25, the base (fixture) dense model, a hybrid tuned on dev, reranking, and training (12
 * epochs of 6 steps unless `epochs` says otherwise: a test that stops training midway asks for more).
 */
export async function writePipelineSpec(
  f: PipelineFixture,
  name: string,
  output: string,
  options: { epochs?: number } = {},
): Promise<string> {
  const file = join(f.root, `${name}.yaml`);
  await writeFile(
    file,
    [
      `name: ${name}`,
      `dataset: { dir: ${f.data}, train: train, dev: dev, test: test }`,
      "stages:",
      "  train:",
      "    job:",
      `      model: ${f.trainable}`,
      "      positives: { human: {} }",
      "      negatives: { bm25: { window: [2, 20], count: 1 } }",
      "      training:",
      `        hyperparameters: { batchSize: 4, epochs: ${options.epochs ?? 12}, learningRate: 0.001 }`,
      "        checkpointEvery: 8",
      "        logEvery: 1",
      "        threads: 1",
      "baselines:",
      "  bm25: {}",
      `  dense: { model: ${FIXTURE_MODELS.biEncoder} }`,
      "  hybrid: { tuneOn: dev, alphas: [0, 0.25, 0.5, 0.75, 1] }",
      `  rerank: { model: ${FIXTURE_MODELS.crossEncoder1}, depth: 20 }`,
      `output: ${output}`,
      "",
    ].join("\n"),
  );
  return file;
}

export const RUN_ARGS = ["--python", VENV_PYTHON, "--engine-dir", REAL_ENGINE_DIR];

/** `ferret run <spec>` from the built CLI, detached into its own process group. */
export function spawnRun(spec: string): ChildProcess {
  return spawn(process.execPath, [join(CLI_DIR, "dist", "main.js"), "run", spec, ...RUN_ARGS], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((done) => child.on("close", (code, signal) => done({ code, signal, stdout, stderr })));
}

const PYTREC = `
import json, sys, pytrec_eval
qrels, run = {}, {}
for line in open(sys.argv[1]).read().splitlines()[1:]:
    q, d, r = line.split("\\t"); qrels.setdefault(q, {})[d] = int(r)
for line in open(sys.argv[2]):
    q, _, d, _, s, _ = line.split(); run.setdefault(q, {})[d] = float(s)
measures = sys.argv[3].split(",")
per = pytrec_eval.RelevanceEvaluator(qrels, set(measures)).evaluate(run)
keys = [m.replace(".", "_") for m in measures]
# trec_eval -c: a judged query without a run counts as 0.
print(json.dumps({k: sum(per.get(q, {}).get(k, 0.0) for q in qrels) / len(qrels) for k in keys}))
`;

/** trec_eval's means (pytrec_eval; -c: averaged over every judged query) of a run file. */
export function pytrecMeans(qrelsTsv: string, runFile: string, measures: string[]): Record<string, number> {
  const out = execFileSync(VENV_PYTHON, ["-c", PYTREC, qrelsTsv, runFile, measures.join(",")], {
    encoding: "utf8",
  });
  return JSON.parse(out) as Record<string, number>;
}
