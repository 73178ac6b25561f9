/**
 * Test data: BEIR SciFact beside the repository (shared/data/scifact, read-only), and small BEIR
 * directories that link its corpus and queries with a qrels split of a few training queries, so the
 * tests that run models stay quick.
 */
import { mkdir, mkdtemp, readFile, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
export const SCIFACT_DIR = process.env["FERRET_SCIFACT_DIR"] ?? resolve(REPO_ROOT, "../shared/data/scifact");

export async function tempDir(prefix = "ferret-trainer-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** The train qrels of SciFact as (qid, docid) rows, in file order. */
export async function scifactTrainRows(): Promise<[string, string, number][]> {
  const text = await readFile(join(SCIFACT_DIR, "qrels", "train.tsv"), "utf8");
  return text
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => {
      const [q, d, s] = l.split("\t");
      return [q!, d!, Number(s)];
    });
}

/**
 * A BEIR dir sharing SciFact's corpus and queries (symlinks) whose qrels/small.tsv holds the train
 * judgments of the first `queries` train queries.
 */
export async function smallScifact(queries: number): Promise<{ dir: string; qids: string[] }> {
  const dir = await tempDir("ferret-trainer-scifact-");
  await symlink(join(SCIFACT_DIR, "corpus.jsonl"), join(dir, "corpus.jsonl"));
  await symlink(join(SCIFACT_DIR, "queries.jsonl"), join(dir, "queries.jsonl"));
  await mkdir(join(dir, "qrels"));
  const rows = await scifactTrainRows();
  const qids = [...new Set(rows.map((r) => r[0]))].slice(0, queries);
  const keep = new Set(qids);
  const lines = rows.filter((r) => keep.has(r[0])).map((r) => r.join("\t"));
  await writeFile(
    join(dir, "qrels", "small.tsv"),
    ["query-id\tcorpus-id\tscore", ...lines].join("\n") + "\n",
  );
  return { dir, qids };
}
