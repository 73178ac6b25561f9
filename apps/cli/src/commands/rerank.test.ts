import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ferret, REPO_ROOT } from "../test-support/ferret-process.js";

/**
 * Runs the BUILT cli (dist/main.js): `ferret rerank` with the ranker's tiny random-weight cross-encoder on
 * its committed BM25 run of examples/mini. Expected order and scores: PyTorch's logits for the same pairs
 * (services/ranker/fixtures/reference.json, written by services/ranker/scripts/make-fixtures.py).
 */
const RANKER_FIXTURES = join(REPO_ROOT, "services", "ranker", "fixtures");

interface PairReference {
  queryId: string;
  docId: string;
  logit: number;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-rerank-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret rerank", () => {
  it("reranks each query's top 5 in PyTorch's order and writes a TREC run", async () => {
    const out = join(tmp, "reranked.trec");
    const runPath = join(RANKER_FIXTURES, "mini-bm25-top20.trec");
    const result = await ferret([
      "rerank",
      join(RANKER_FIXTURES, "tiny-ce"),
      "--run",
      runPath,
      "--corpus",
      join(REPO_ROOT, "examples", "mini"),
      "--depth",
      "5",
      "--out",
      out,
      "--threads",
      "1",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^reranked 8 queries \(40 pairs, depth 5\) with tiny-ce in /);

    const reference = JSON.parse(await readFile(join(RANKER_FIXTURES, "reference.json"), "utf8")) as {
      pairs: PairReference[];
    };
    const input = (await readFile(runPath, "utf8"))
      .trim()
      .split("\n")
      .map((l) => l.split(" "));
    const lines = (await readFile(out, "utf8"))
      .trim()
      .split("\n")
      .map((l) => l.split(" "));
    expect(lines).toHaveLength(40);
    for (const qid of new Set(input.map((l) => l[0]!))) {
      // the input file is in rank order: its first 5 lines per query are the top 5
      const top = input
        .filter((l) => l[0] === qid)
        .slice(0, 5)
        .map((l) => l[2]!);
      const logit = (docid: string) =>
        reference.pairs.find((p) => p.queryId === qid && p.docId === docid)!.logit;
      const expected = [...top].sort((a, b) => logit(b) - logit(a));
      const got = lines.filter((l) => l[0] === qid);
      expect(got.map((l) => l[2])).toEqual(expected);
      expect(got.map((l) => l[3])).toEqual(["1", "2", "3", "4", "5"]);
      for (const l of got)
        expect(Math.abs(Number(l[4]) - 1 / (1 + Math.exp(-logit(l[2]!))))).toBeLessThan(1e-4);
    }
  });

  it("names the file and field of a model directory that is not a cross-encoder", async () => {
    const result = await ferret([
      "rerank",
      join(REPO_ROOT, "packages", "inference", "fixtures", "tiny-bert"),
      "--run",
      join(RANKER_FIXTURES, "mini-bm25-top20.trec"),
      "--corpus",
      join(REPO_ROOT, "examples", "mini"),
      "--out",
      join(tmp, "never.trec"),
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ferret.json (field "kind"): is "bi-encoder", expected "cross-encoder"');
  });
});
