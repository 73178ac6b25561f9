/**
 * LLM labels, synthetic queries and the curriculum over SciFact train, and bad input: unknown ids in
 * label, qrels and synthetic-query files, and an empty training set; a failed assembly keeps the
 * artifact already on disk.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmptyTrainingSetError } from "../errors.js";
import { assembleTrainingSet } from "./assemble.js";
import { CorpusCache } from "./corpus-cache.js";
import { TRAINING_SET_FILE, stageFile } from "./training-set-format.js";
import { SCIFACT_DIR, scifactTrainRows, tempDir } from "../test-support/scifact.js";
import { specIn } from "../test-support/specs.js";

const label = (queryId: string, docId: string, extra: Record<string, unknown>) =>
  JSON.stringify({ kind: "relevance", queryId, docId, status: "ok", steps: [], ...extra });

describe("LLM labels, synthetic queries and the curriculum", () => {
  const cache = new CorpusCache();
  let work: string;
  let rows: [string, string, number][];
  let trainQids: string[];
  afterAll(() => cache.close());

  beforeAll(async () => {
    work = await tempDir();
    rows = await scifactTrainRows();
    trainQids = [...new Set(rows.map((r) => r[0]))];
  });

  async function writeLabels(name: string, lines: string[]): Promise<string> {
    const path = join(work, name);
    await writeFile(path, lines.join("\n") + "\n");
    return path;
  }

  it("trains stage 1 on LLM positives and stage 2 on the human positives of 20% of the queries", async () => {
    // 100 train queries labelled by an "LLM": their human positive graded 3, a second document graded 1
    // (relevant but under minGrade: neither positive nor negative), plus a failed label and a label of
    // a test query (ignored: never trained on).
    const labelled = rows.slice(0, 100);
    const other = new Map(labelled.map(([q], i) => [q, rows[rows.length - 1 - i]![1]]));
    const lines = labelled.flatMap(([q, d]) => [
      label(q, d, { grade: 3 }),
      label(q, other.get(q)!, { grade: 1 }),
    ]);
    lines.push(label(trainQids[200]!, rows[0]![1], { status: "failed", error: "bad reply" }));
    lines.push(label("1", rows[0]![1], { grade: 3 })); // "1" is a SciFact test query
    const labels = await writeLabels("labels.jsonl", lines);
    const result = await assembleTrainingSet(
      specIn(work, {
        corpus: SCIFACT_DIR,
        queries: { split: "train" },
        positives: {
          human: {},
          llm: { labels, mode: "graded", minGrade: 2 },
          combine: "curriculum",
          humanFraction: 0.2,
        },
        negatives: { bm25: { window: [1, 30], count: 30, pick: "top" } },
        output: join(work, "curriculum"),
      }),
      { cache },
    );
    const stage1 = result.records.filter((r) => r.stage === 1);
    const stage2 = result.records.filter((r) => r.stage === 2);
    expect(new Set(stage1.map((r) => r.qid))).toEqual(new Set(labelled.map(([q]) => q)));
    for (const r of stage1) {
      expect(r.positives.every((p) => p.sources.join() === "llm" && p.grade === 3)).toBe(true);
      expect(r.negatives.map((n) => n.id)).not.toContain(other.get(r.qid));
    }
    expect(stage2).toHaveLength(Math.round(809 * 0.2));
    const human = new Map<string, string[]>();
    for (const [q, d] of rows) human.set(q, [...(human.get(q) ?? []), d]);
    for (const r of stage2) expect(r.positives.map((p) => p.id).sort()).toEqual(human.get(r.qid)!.sort());
    // One engine file per stage, stage 1 first.
    const qidsIn = async (file: string) =>
      (await readFile(join(work, "curriculum", file), "utf8"))
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).qid);
    expect(await qidsIn(TRAINING_SET_FILE)).toEqual(stage1.map((r) => r.qid));
    expect(await qidsIn(stageFile(2))).toEqual(stage2.map((r) => r.qid));
    expect(result.records.findIndex((r) => r.stage === 2)).toBe(stage1.length);
    expect(result.stats.queries.byStage).toEqual({ "1": new Set(labelled.map(([q]) => q)).size, "2": 162 });
    expect(result.stats.labels).toEqual({
      lines: 202,
      used: 200,
      failed: 1,
      otherKind: 0,
      outsideTrainingSet: 1,
    });
    expect(result.stats.queries.withoutPositives).toBe(0);
  });

  it("takes synthetic queries with their source passages as positives, and seeded random negatives", async () => {
    const synth = join(work, "synthetic");
    await mkdir(synth, { recursive: true });
    const sources = rows.slice(0, 3).map((r) => r[1]);
    await writeFile(
      join(synth, "queries.jsonl"),
      sources
        .map((s, i) => JSON.stringify({ _id: `synth-${i}`, text: `question ${i}`, metadata: { source: s } }))
        .join("\n"),
    );
    const spec = (seed: number, out: string) =>
      specIn(work, {
        corpus: SCIFACT_DIR,
        seed,
        queries: { synthetic: "synthetic" },
        negatives: { random: { count: 5 } },
        output: join(work, out),
      });
    const a = await assembleTrainingSet(spec(13, "synth-a"), { cache });
    const b = await assembleTrainingSet(spec(13, "synth-b"), { cache });
    const c = await assembleTrainingSet(spec(14, "synth-c"), { cache });
    expect(a.records.map((r) => r.positives.map((p) => [p.id, p.sources]))).toEqual(
      sources.map((s) => [[s, ["synthetic"]]]),
    );
    for (const r of a.records) {
      expect(r.negatives).toHaveLength(5);
      expect(new Set(r.negatives.map((n) => n.id)).size).toBe(5);
      expect(r.negatives.map((n) => n.id)).not.toContain(r.positives[0]!.id);
      expect(r.negatives.every((n) => n.source === "random" && n.rank === 0)).toBe(true);
    }
    expect(await readFile(join(work, "synth-b", TRAINING_SET_FILE), "utf8")).toBe(
      await readFile(join(work, "synth-a", TRAINING_SET_FILE), "utf8"),
    );
    expect(c.records.map((r) => r.negatives)).not.toEqual(b.records.map((r) => r.negatives));
    expect(a.stats.queries).toMatchObject({ split: 0, synthetic: 3, records: 3 });
  });
});

describe("bad input", () => {
  const cache = new CorpusCache();
  let work: string;
  let rows: [string, string, number][];
  afterAll(() => cache.close());
  beforeAll(async () => {
    work = await tempDir();
    rows = await scifactTrainRows();
  });

  const withLabels = (labels: string, output = join(work, "out")) =>
    specIn(work, {
      corpus: SCIFACT_DIR,
      queries: { split: "train" },
      positives: { llm: { labels, mode: "graded" } },
      negatives: { random: { count: 1 } },
      output,
    });

  async function rejects(promise: Promise<unknown>): Promise<InputError> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }

  it("names the line and field of an unknown document id in a label file, keeping the stored artifact", async () => {
    const out = join(work, "kept");
    const good = join(work, "good.jsonl");
    await writeFile(good, label(rows[0]![0], rows[0]![1], { grade: 3 }) + "\n");
    await assembleTrainingSet(withLabels(good, out), { cache });
    const before = await readFile(join(out, TRAINING_SET_FILE), "utf8");

    const bad = join(work, "bad-doc.jsonl");
    await writeFile(
      bad,
      [
        label(rows[0]![0], rows[0]![1], { grade: 3 }),
        "",
        label(rows[1]![0], "no-such-doc", { grade: 2 }),
      ].join("\n"),
    );
    const err = await rejects(assembleTrainingSet(withLabels(bad, out), { cache }));
    expect(err).toMatchObject({ file: bad, line: 3, field: "docId" });
    expect(err.message).toContain('unknown document id "no-such-doc"');
    expect(await readFile(join(out, TRAINING_SET_FILE), "utf8")).toBe(before);
    expect((await readdir(work)).filter((f) => f.includes(".partial-") || f.includes(".old-"))).toEqual([]);
  });

  it("names an unknown query id and a malformed label", async () => {
    const badQuery = join(work, "bad-query.jsonl");
    await writeFile(badQuery, label("no-such-query", rows[0]![1], { grade: 3 }) + "\n");
    expect(await rejects(assembleTrainingSet(withLabels(badQuery), { cache }))).toMatchObject({
      line: 1,
      field: "queryId",
    });
    const malformed = join(work, "malformed.jsonl");
    await writeFile(malformed, JSON.stringify({ kind: "relevance", queryId: "0", status: "ok" }) + "\n");
    expect(await rejects(assembleTrainingSet(withLabels(malformed), { cache }))).toMatchObject({
      line: 1,
      field: "docId",
    });
  });

  it("names unknown ids in qrels and synthetic query files", async () => {
    const qrels = join(work, "qrels.tsv");
    await writeFile(qrels, `query-id\tcorpus-id\tscore\n${rows[0]![0]}\tmissing-doc\t1\n`);
    const err = await rejects(
      assembleTrainingSet(
        specIn(work, {
          corpus: SCIFACT_DIR,
          queries: { split: "train" },
          positives: { human: { qrels } },
          negatives: { random: { count: 1 } },
        }),
        { cache },
      ),
    );
    expect(err).toMatchObject({ file: qrels, field: "corpus-id" });
    const synth = join(work, "synth.jsonl");
    await writeFile(
      synth,
      [
        JSON.stringify({ _id: "s1", text: "q", metadata: { source: rows[0]![1] } }),
        JSON.stringify({ _id: "s2", text: "q", metadata: { source: "missing-doc" } }),
      ].join("\n"),
    );
    const err2 = await rejects(
      assembleTrainingSet(
        specIn(work, {
          corpus: SCIFACT_DIR,
          queries: { synthetic: synth },
          negatives: { random: { count: 1 } },
        }),
        { cache },
      ),
    );
    expect(err2).toMatchObject({ file: synth, line: 2, field: "metadata.source" });
  });

  it("refuses an empty training set and writes nothing", async () => {
    const weak = join(work, "weak.jsonl");
    await writeFile(
      weak,
      rows
        .slice(0, 5)
        .map(([q, d]) => label(q, d, { grade: 1 }))
        .join("\n"),
    );
    const out = join(work, "empty");
    const err = await assembleTrainingSet(withLabels(weak, out), { cache }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmptyTrainingSetError);
    expect((err as EmptyTrainingSetError).code).toBe("INVALID_ARGUMENT");
    expect((err as Error).message).toContain("no training query has a positive");
    expect((await readdir(work)).includes("empty")).toBe(false);
  });
});
