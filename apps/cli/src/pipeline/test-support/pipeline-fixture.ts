/** What the pipeline spec tests share: a directory a valid spec can name, and that spec's lines. */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A temp root holding an (empty) BEIR dataset `data/` with train/dev/test qrels and two model dirs. */
export async function makePipelineRoot(prefix: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  await mkdir(join(root, "data", "qrels"), { recursive: true });
  for (const f of ["corpus.jsonl", "queries.jsonl", "qrels/train.tsv", "qrels/dev.tsv", "qrels/test.tsv"])
    await writeFile(join(root, "data", f), "");
  await mkdir(join(root, "models", "minilm"), { recursive: true });
  await mkdir(join(root, "models", "cross"), { recursive: true });
  return root;
}

/** A valid spec over makePipelineRoot's files, one YAML line per entry. */
export const GOOD_PIPELINE_LINES: readonly string[] = [
  "name: mini",
  "dataset: { dir: data, train: train, dev: dev, test: test }",
  "stages:",
  "  annotate:",
  "    task: relevance",
  "    llm: { baseUrl: 'http://127.0.0.1:8000/v1', model: qwen }",
  "  train:",
  "    job:",
  "      model: models/minilm",
  "      positives: { human: {}, combine: union }",
  "      negatives: { bm25: { window: [4, 30], count: 2 } }",
  "      training: { loss: infonce, epochs: 1 }",
  "baselines:",
  "  bm25: {}",
  "  dense: { model: models/minilm }",
  "  hybrid: { tuneOn: dev }",
  "  rerank: { model: models/cross, depth: 50 }",
  "output: runs/mini",
];
