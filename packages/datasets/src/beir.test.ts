import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { readBeirCorpus, readBeirCorpusFrom, readBeirQueries } from "./beir-jsonl.js";
import { readBeirQrels, readBeirQrelsWithStats } from "./beir-qrels.js";
import { writeBeirCorpus, writeBeirQrels, writeBeirQueries } from "./beir-writers.js";
import { SHARED_DATA, collect, tempDir } from "./test-support/paths.js";
import type { DocumentRecord } from "./types.js";

const SCIFACT = join(SHARED_DATA, "scifact");

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

async function errorOf(promise: Promise<unknown>): Promise<InputError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe("BEIR readers on SciFact", () => {
  // Independent counts (shared/data/README.md, and `wc -l corpus.jsonl queries.jsonl` = 5183, 1109;
  // `tail -n +2 qrels/train.tsv | wc -l` = 919, `| cut -f1 | sort -u | wc -l` = 809; test: 339, 300).
  it("streams all 5,183 documents", async () => {
    const corpus = readBeirCorpus(join(SCIFACT, "corpus.jsonl"));
    let count = 0;
    let first: DocumentRecord | undefined;
    let last: DocumentRecord | undefined;
    for await (const doc of corpus) {
      first ??= doc;
      last = doc;
      count++;
    }
    expect(count).toBe(5183);
    expect(corpus.stats).toEqual({ lines: 5183, records: 5183, skipped: 0 });
    // First and last lines of corpus.jsonl, checked with `head -1` / `tail -1`.
    expect(first?.id).toBe("4983");
    expect(first?.title).toBe(
      "Microstructural development of human newborn cerebral white matter assessed in vivo by diffusion tensor magnetic resonance imaging.",
    );
    expect(first?.text.startsWith("Alterations of the architecture of cerebral white matter")).toBe(true);
    expect(last?.id).toBe("198309074");
  });

  it("streams all 1,109 queries with their metadata", async () => {
    const queries = await collect(readBeirQueries(join(SCIFACT, "queries.jsonl")));
    expect(queries).toHaveLength(1109);
    expect(queries[1]).toEqual({
      id: "2",
      text: "1 in 5 million in UK have abnormal PrP positivity.",
      metadata: { "13734012": [{ sentences: [4], label: "CONTRADICT" }] },
    });
  });

  it("reads train and test qrels with their header", async () => {
    const train = await readBeirQrelsWithStats(join(SCIFACT, "qrels/train.tsv"));
    expect(train.stats).toEqual({ lines: 920, records: 919, skipped: 0 });
    expect(train.qrels.size).toBe(809);
    const test = await readBeirQrels(join(SCIFACT, "qrels/test.tsv"));
    expect(test.size).toBe(300);
    expect([...test.values()].reduce((n, docs) => n + docs.size, 0)).toBe(339);
    expect(test.get("1")).toEqual(new Map([["31715818", 1]]));
  });
});

describe("BEIR readers on bad input", () => {
  it("names file, line and field", async () => {
    const cases: [string, string, number, string | undefined, RegExp][] = [
      ["json.jsonl", '{"_id":"a","text":"x"}\n{"_id":"b","text":\n', 2, undefined, /invalid JSON/],
      ["array.jsonl", "[1,2]\n", 1, undefined, /expected a JSON object/],
      ["noid.jsonl", '{"_id":"a","text":"x"}\n\n{"title":"t","text":"x"}\n', 3, "_id", /missing/],
      ["badid.jsonl", '{"_id":true,"text":"x"}\n', 1, "_id", /non-empty string/],
      ["notext.jsonl", '{"_id":"a","title":"t"}\n', 1, "text", /missing/],
      ["numtitle.jsonl", '{"_id":"a","title":5,"text":"x"}\n', 1, "title", /expected a string, found number/],
      ["meta.jsonl", '{"_id":"a","text":"x","metadata":[1]}\n', 1, "metadata", /expected a JSON object/],
    ];
    for (const [name, text, line, field, problem] of cases) {
      const path = await tmp.file(name, text);
      const err = await errorOf(collect(readBeirCorpus(path)));
      expect([err.file, err.line, err.field], name).toEqual([path, line, field]);
      expect(err.message, name).toMatch(problem);
    }
    const q = await tmp.file("q.jsonl", '{"_id":"1","text":"ok"}\n{"_id":"2"}\n');
    const qerr = await errorOf(collect(readBeirQueries(q)));
    expect(qerr.message).toBe(`${q}:2 (field "text"): missing`);
  });

  it("names file, line and field in qrels", async () => {
    const cases: [string, string, number, string | undefined, RegExp][] = [
      ["cols.tsv", "query-id\tcorpus-id\tscore\n1\td1\t1\n1\td2\n", 3, undefined, /expected 3 columns/],
      ["score.tsv", "1\td1\t1\n1\td2\t0.5\n", 2, "score", /not an integer: "0.5"/],
      [
        "dup.tsv",
        "1\td1\t1\n2\td1\t1\n1\td1\t2\n",
        3,
        "corpus-id",
        /duplicate judgment of document "d1" for query "1"/,
      ],
      ["late-header.tsv", "1\td1\t1\nquery-id\tcorpus-id\tscore\n", 2, "score", /not an integer: "score"/],
    ];
    for (const [name, text, line, field, problem] of cases) {
      const path = await tmp.file(name, text);
      const err = await errorOf(readBeirQrels(path));
      expect([err.file, err.line, err.field], name).toEqual([path, line, field]);
      expect(err.message, name).toMatch(problem);
    }
  });

  it("lenient mode skips and counts bad lines", async () => {
    const corpus = await tmp.file(
      "lenient.jsonl",
      ['{"_id":"a","text":"x"}', "not json", '{"text":"no id"}', '{"_id":7,"text":"numeric id"}', ""].join(
        "\n",
      ),
    );
    const stream = readBeirCorpus(corpus, { lenient: true });
    const docs = await collect(stream);
    expect(docs.map((d) => d.id)).toEqual(["a", "7"]);
    expect(docs[0]?.title).toBe("");
    expect(stream.stats).toEqual({ lines: 4, records: 2, skipped: 2 });

    const qrels = await tmp.file("lenient.tsv", "q\td\t1\nq\td\t0\nq\te\tx\nonly two\nq f 2\n");
    const result = await readBeirQrelsWithStats(qrels, { lenient: true });
    expect(result.stats).toEqual({ lines: 5, records: 2, skipped: 3 });
    expect(result.qrels.get("q")).toEqual(
      new Map([
        ["d", 1],
        ["f", 2],
      ]),
    );
  });
});

describe("BEIR corpus from a byte stream", () => {
  it("yields what the file reader yields, however the bytes are chunked, and names the source in errors", async () => {
    const file = join(SCIFACT, "corpus.jsonl");
    const bytes = (await readFile(file)).subarray(0, 200_000);
    const whole = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1);
    // 7-byte chunks split lines and multi-byte UTF-8 characters across chunk boundaries
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < whole.length; i += 7) yield whole.subarray(i, i + 7);
    }
    const path = join(tmp.dir, "part.jsonl");
    await writeFile(path, whole);
    const expected = await collect(readBeirCorpus(path));
    expect(expected.length).toBeGreaterThan(50);
    expect(await collect(readBeirCorpusFrom(chunks, "artifact b/corpus.jsonl"))).toEqual(expected);

    async function* bad(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('{"_id": "a", "text": "x"}\n{"text": "no id"}\n');
    }
    const err = await errorOf(collect(readBeirCorpusFrom(bad, "artifact b/corpus.jsonl")));
    expect(err.message).toBe('artifact b/corpus.jsonl:2 (field "_id"): missing');
  });
});

describe("BEIR writers", () => {
  it("round-trip corpus, queries and qrels", async () => {
    const docs: DocumentRecord[] = [
      {
        id: "d1",
        title: 'Title "quoted"',
        text: "line one\nline two\ttab",
        metadata: { url: "http://x", n: 1 },
      },
      { id: "d2", title: "", text: "ünïcödé 😀" },
    ];
    const corpusPath = join(tmp.dir, "rt-corpus.jsonl");
    expect(await writeBeirCorpus(corpusPath, docs)).toBe(2);
    expect(await collect(readBeirCorpus(corpusPath))).toEqual(docs);

    const queries = [
      { id: "q1", text: "what?" },
      { id: "q2", text: "why", metadata: { split: "test" } },
    ];
    const queriesPath = join(tmp.dir, "rt-queries.jsonl");
    async function* source() {
      yield* queries;
    }
    expect(await writeBeirQueries(queriesPath, source())).toBe(2);
    expect(await collect(readBeirQueries(queriesPath))).toEqual(queries);

    const qrels = new Map([
      [
        "q1",
        new Map([
          ["d1", 2],
          ["d2", 0],
        ]),
      ],
      ["q2", new Map([["d2", -1]])],
    ]);
    const qrelsPath = join(tmp.dir, "rt.tsv");
    await writeBeirQrels(qrelsPath, qrels);
    expect((await readFile(qrelsPath, "utf8")).split("\n")[0]).toBe("query-id\tcorpus-id\tscore");
    expect(await readBeirQrels(qrelsPath)).toEqual(qrels);
  });
});
