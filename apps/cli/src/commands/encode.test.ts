import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ferret } from "../test-support/ferret-process.js";

/**
 * Runs the BUILT cli (dist/main.js): `ferret encode index` then `ferret encode search` (dense exact, HNSW
 * and hybrid) with the tiny bi-encoder fixture on a BEIR directory made of its reference texts. Expected
 * scores are inner products of PyTorch's embeddings (packages/inference/fixtures/reference.json).
 */

interface RefText {
  text: string;
  mean: number[];
}
const texts = (JSON.parse(await readFile(FIXTURE_MODELS.reference, "utf8")) as { texts: RefText[] }).texts;
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

function parseRun(text: string): Map<string, [string, number][]> {
  const run = new Map<string, [string, number][]>();
  for (const line of text.trim().split("\n")) {
    const [qid, , docid, , score] = line.split(/\s+/);
    if (!run.has(qid!)) run.set(qid!, []);
    run.get(qid!)!.push([docid!, Number(score)]);
  }
  return run;
}

let tmp: string;
let beir: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-encode-cli-"));
  beir = join(tmp, "beir");
  await mkdir(join(beir, "qrels"), { recursive: true });
  await writeFile(
    join(beir, "corpus.jsonl"),
    texts.map((t, i) => JSON.stringify({ _id: `d${i}`, title: "", text: t.text })).join("\n") + "\n",
  );
  await writeFile(
    join(beir, "queries.jsonl"),
    texts.map((t, i) => JSON.stringify({ _id: `q${i}`, text: t.text })).join("\n") + "\n",
  );
  await writeFile(
    join(beir, "qrels", "test.tsv"),
    "query-id\tcorpus-id\tscore\n" + [0, 1, 2, 3, 4].map((i) => `q${i}\td${i}\t1`).join("\n") + "\n",
  );
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret encode", () => {
  it("indexes a BEIR corpus and searches it with PyTorch's scores (exact and HNSW)", async () => {
    for (const kind of ["exact", "hnsw"]) {
      const index = join(tmp, `index-${kind}`);
      const built = await ferret([
        "encode",
        "index",
        FIXTURE_MODELS.biEncoder,
        beir,
        "--out",
        index,
        "--kind",
        kind,
        "--shard-size",
        "7",
        "--threads",
        "1",
      ]);
      expect(built.stderr).toBe("");
      expect(built.code).toBe(0);
      expect(built.stdout).toMatch(new RegExp(`^indexed 20 documents \\(${kind}, fp32\\)`));
      const out = join(tmp, `run-${kind}.trec`);
      const searched = await ferret([
        "encode",
        "search",
        index,
        "--queries",
        beir,
        "--split",
        "test",
        "-k",
        "5",
        "--out",
        out,
      ]);
      expect(searched.stderr).toBe("");
      expect(searched.code).toBe(0);
      expect(searched.stdout).toMatch(new RegExp(`^searched 5 queries \\(dense ${kind}\\)`));
      const run = parseRun(await readFile(out, "utf8"));
      expect([...run.keys()].sort()).toEqual(["q0", "q1", "q2", "q3", "q4"]);
      for (const [qid, hits] of run) {
        const q = texts[Number(qid.slice(1))]!;
        expect(hits).toHaveLength(5);
        expect(hits[0]![0]).toBe(`d${qid.slice(1)}`);
        for (const [docid, score] of hits)
          expect(score).toBeCloseTo(dot(q.mean, texts[Number(docid.slice(1))]!.mean), 4);
      }
    }
  }, 60_000);

  it("hybrid search with α = 1 keeps the dense order; α = 0 gives BM25's", async () => {
    const bm25 = join(tmp, "beir.bm25");
    expect((await ferret(["bm25", "index", beir, "--out", bm25])).code).toBe(0);
    const bm25Run = join(tmp, "bm25.trec");
    expect(
      (
        await ferret([
          "bm25",
          "search",
          bm25,
          "--queries",
          beir,
          "--split",
          "test",
          "-k",
          "5",
          "--out",
          bm25Run,
        ])
      ).code,
    ).toBe(0);
    const index = join(tmp, "index-exact");
    const dense = parseRun(await readFile(join(tmp, "run-exact.trec"), "utf8"));
    const lexical = parseRun(await readFile(bm25Run, "utf8"));
    for (const [alpha, expected] of [
      ["1", dense],
      ["0", lexical],
    ] as const) {
      const out = join(tmp, `hybrid-${alpha}.trec`);
      const r = await ferret([
        "encode",
        "search",
        index,
        "--queries",
        beir,
        "--split",
        "test",
        "-k",
        "5",
        "--hybrid",
        bm25,
        "--alpha",
        alpha,
        "--out",
        out,
      ]);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(new RegExp(`\\(hybrid α=${alpha} min-max\\)`));
      const run = parseRun(await readFile(out, "utf8"));
      for (const [qid, hits] of expected) {
        // min-max sends each run's last hit to 0, where it ties with what only the other run found: the
        // expected run's order must hold above that
        const n = hits.length - 1;
        expect(
          run
            .get(qid)!
            .slice(0, n)
            .map((h) => h[0]),
        ).toEqual(hits.slice(0, n).map((h) => h[0]));
      }
    }
    const bad = await ferret([
      "encode",
      "search",
      index,
      "--queries",
      beir,
      "--hybrid",
      bm25,
      "--alpha",
      "2",
      "--out",
      join(tmp, "x"),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/α must be in \[0, 1\]/);
  }, 60_000);
});
