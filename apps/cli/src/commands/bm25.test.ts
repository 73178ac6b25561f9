import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Runs the BUILT cli (dist/main.js) on SciFact: `ferret bm25 index` then `ferret bm25 search`. */
const CLI_DIR = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
const MAIN = join(CLI_DIR, "dist", "main.js");
const REPO_ROOT = resolve(CLI_DIR, "../..");
const SCIFACT = process.env["FERRET_SCIFACT_DIR"] ?? resolve(REPO_ROOT, "../shared/data/scifact");

function ferret(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: REPO_ROOT }, (err, stdout, stderr) => {
      done({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, stdout, stderr });
    });
  });
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-bm25-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret bm25", () => {
  it("indexes SciFact and writes a 1,000-hit run with Lucene's scores", async () => {
    const index = join(tmp, "scifact.bm25");
    const built = await ferret(["bm25", "index", SCIFACT, "--out", index]);
    expect(built.stderr).toBe("");
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/^indexed 5,183 documents/);

    const runPath = join(tmp, "run.trec");
    const searched = await ferret([
      "bm25",
      "search",
      index,
      "--queries",
      SCIFACT,
      "--split",
      "test",
      "-k",
      "1000",
      "--out",
      runPath,
      "--remove-query",
    ]);
    expect(searched.code).toBe(0);
    expect(searched.stdout).toMatch(/^searched 300 queries/);
    const lines = (await readFile(runPath, "utf8")).trim().split("\n");
    const queries = new Set(lines.map((l) => l.split(" ")[0]));
    expect(queries.size).toBe(300);
    // Lucene 9.9.1's top hit for test query 1 ("0-dimensional biomaterials show inductive properties."),
    // BM25(0.9, 0.4) over Anserini's flat index: 10608397 with float score 6.598821.
    const [qid, , docid, rank, score] = (lines[0] as string).split(" ");
    expect([qid, docid, rank]).toEqual(["1", "10608397", "1"]);
    expect(Math.fround(Number(score))).toBe(Math.fround(6.598821));
  }, 60_000);

  it("rejects an unknown backend as a usage failure", async () => {
    const r = await ferret(["bm25", "index", SCIFACT, "--out", join(tmp, "x"), "--backend", "solr"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--backend must be embedded or opensearch/);
  });
});
