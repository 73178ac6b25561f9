/**
 * A small BEIR collection cut from SciFact (../shared/data/scifact, read-only) for the pipeline's tests:
 * train and dev splits from SciFact's train qrels, a test split from its test qrels, and a corpus of the
 * judged documents plus the first `extraDocs` others, so BM25 and dense retrieval have distractors.
 */
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));
export const SCIFACT_DIR = process.env.FERRET_SCIFACT_DIR ?? resolve(REPO_ROOT, "../shared/data/scifact");

type Row = [qid: string, docid: string, grade: string];

async function qrelRows(split: string): Promise<Row[]> {
  const text = await readFile(join(SCIFACT_DIR, "qrels", `${split}.tsv`), "utf8");
  return text
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => l.split("\t") as Row);
}

function firstQueries(rows: Row[], skip: number, count: number): Row[] {
  const qids = [...new Set(rows.map((r) => r[0]))].slice(skip, skip + count);
  const keep = new Set(qids);
  return rows.filter((r) => keep.has(r[0]));
}

async function* jsonLines(file: string): AsyncGenerator<{ line: string; id: string }> {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (line.trim() === "") continue;
    yield { line, id: String((JSON.parse(line) as { _id: unknown })._id) };
  }
}

export interface ScifactSubset {
  dir: string;
  splits: { train: number; dev: number; test: number };
  documents: number;
}

export async function scifactSubset(
  options: { train?: number; dev?: number; test?: number; extraDocs?: number } = {},
): Promise<ScifactSubset> {
  const dir = await mkdtemp(join(tmpdir(), "ferret-pipeline-scifact-"));
  await mkdir(join(dir, "qrels"));
  const trainRows = await qrelRows("train");
  const splits: Record<string, Row[]> = {
    train: firstQueries(trainRows, 0, options.train ?? 24),
    dev: firstQueries(trainRows, options.train ?? 24, options.dev ?? 12),
    test: firstQueries(await qrelRows("test"), 0, options.test ?? 30),
  };
  const judged = new Set<string>();
  const queries = new Set<string>();
  for (const [split, rows] of Object.entries(splits)) {
    for (const [q, d] of rows) {
      judged.add(d);
      queries.add(q);
    }
    await writeFile(
      join(dir, "qrels", `${split}.tsv`),
      ["query-id\tcorpus-id\tscore", ...rows.map((r) => r.join("\t"))].join("\n") + "\n",
    );
  }
  const corpus: string[] = [];
  let extra = options.extraDocs ?? 300;
  for await (const { line, id } of jsonLines(join(SCIFACT_DIR, "corpus.jsonl")))
    if (judged.has(id) || extra-- > 0) corpus.push(line);
  await writeFile(join(dir, "corpus.jsonl"), corpus.join("\n") + "\n");
  const kept: string[] = [];
  for await (const { line, id } of jsonLines(join(SCIFACT_DIR, "queries.jsonl")))
    if (queries.has(id)) kept.push(line);
  await writeFile(join(dir, "queries.jsonl"), kept.join("\n") + "\n");
  const count = (rows: Row[]): number => new Set(rows.map((r) => r[0])).size;
  return {
    dir,
    splits: { train: count(splits.train!), dev: count(splits.dev!), test: count(splits.test!) },
    documents: corpus.length,
  };
}
