import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ferret } from "../test-support/ferret-process.js";

/** Runs the BUILT cli (dist/main.js) on SciFact: `ferret bm25 index` then `ferret bm25 search`. */
const SCIFACT = process.env["FERRET_SCIFACT_DIR"] ?? resolve(REPO_ROOT, "../shared/data/scifact");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-bm25-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret bm25", () => {
  it("indexes SciFact and writes a 1,000-hit run with Anserini's written scores (Lucene's with --ties lucene)", async () => {
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
    // SciFact's query ids are not document ids: no overlap warning.
    expect(searched.stderr).toBe("");
    const lines = (await readFile(runPath, "utf8")).trim().split("\n");
    const queries = new Set(lines.map((l) => l.split(" ")[0]));
    expect(queries.size).toBe(300);
    // Lucene 9.9.1's top hit for test query 1 ("0-dimensional biomaterials show inductive properties."),
    // BM25(0.9, 0.4) over Anserini's flat index: 10608397 with float score 6.598821, which Anserini
    // (the default tie rule) writes rounded to 4 decimals.
    const [qid, , docid, rank, score] = (lines[0] as string).split(" ");
    expect([qid, docid, rank, score]).toEqual(["1", "10608397", "1", "6.598800"]);

    const lucenePath = join(tmp, "lucene.trec");
    const lucene = await ferret([
      "bm25",
      "search",
      index,
      "--queries",
      SCIFACT,
      "--split",
      "test",
      "-k",
      "10",
      "--out",
      lucenePath,
      "--ties",
      "lucene",
    ]);
    expect(lucene.code).toBe(0);
    const first = ((await readFile(lucenePath, "utf8")).split("\n")[0] as string).split(" ");
    expect(first[2]).toBe("10608397");
    expect(Math.fround(Number(first[4]))).toBe(Math.fround(6.598821));
  }, 60_000);

  it("warns when --remove-query meets query ids that are document ids", async () => {
    const dir = join(tmp, "numbered");
    await mkdir(join(dir, "qrels"), { recursive: true });
    const docs = ["apples and pears", "pears only", "apples only"];
    await writeFile(
      join(dir, "corpus.jsonl"),
      docs.map((text, i) => JSON.stringify({ _id: String(i + 1), title: "", text })).join("\n") + "\n",
    );
    await writeFile(
      join(dir, "queries.jsonl"),
      ["apples", "pears", "plums"].map((text, i) => JSON.stringify({ _id: String(i + 1), text })).join("\n") +
        "\n",
    );
    await writeFile(
      join(dir, "qrels", "test.tsv"),
      "query-id\tcorpus-id\tscore\n1\t1\t1\n2\t3\t1\n3\t2\t1\n",
    );
    const index = join(tmp, "numbered.bm25");
    expect((await ferret(["bm25", "index", dir, "--out", index])).code).toBe(0);
    const runPath = join(tmp, "numbered.trec");
    const searched = await ferret([
      "bm25",
      "search",
      index,
      "--queries",
      dir,
      "--split",
      "test",
      "--out",
      runPath,
      "--remove-query",
    ]);
    expect(searched.code).toBe(0);
    expect(searched.stderr).toMatch(/warning: 3 of 3 query ids are also document ids/);
    expect(searched.stderr).toMatch(/1 of them judged relevant to that query/);
    // Query 1's own document 1 is its relevant one, and it is gone from the run.
    const run = (await readFile(runPath, "utf8"))
      .trim()
      .split("\n")
      .map((l) => l.split(" "));
    expect(run.filter((l) => l[0] === "1").map((l) => l[2])).toEqual(["3"]);
  }, 60_000);

  it("rejects an unknown tie rule", async () => {
    const r = await ferret([
      "bm25",
      "search",
      "x.bm25",
      "--queries",
      SCIFACT,
      "--out",
      join(tmp, "r"),
      "--ties",
      "trec",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--ties must be one of lucene, anserini/);
  }, 30_000);

  it("rejects an unknown backend as a usage failure", async () => {
    const r = await ferret(["bm25", "index", SCIFACT, "--out", join(tmp, "x"), "--backend", "solr"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--backend must be embedded or opensearch/);
  }, 30_000);
});
