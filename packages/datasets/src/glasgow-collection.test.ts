import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBeirCorpus, readBeirQueries } from "./beir-jsonl.js";
import { readBeirQrels } from "./beir-qrels.js";
import { convertToBeir } from "./beir-convert.js";
import { detectCollectionFormat, loadGlasgowDir } from "./collection-dir.js";
import { collectionStats } from "./collection-stats.js";
import { readCranfieldQrels } from "./cranfield.js";
import { openGlasgowCollection, readGlasgowManifest } from "./glasgow-collection.js";
import { SHARED_DATA, collect, tempDir } from "./test-support/paths.js";

// Small files written in each collection's own layout (the contents are made up; the layouts are
// those of the Glasgow distribution: CACM's cacm.all / query.text / qrels.text with leading-zero
// query ids, CISI's and ADI's *.REL with `0 0.000000` columns, MED's trec_eval-style MED.REL).

const CACM_DOCS = [
  ".I 1",
  ".T",
  "Preliminary Report on a Sorting Method",
  ".B",
  "CACM December, 1958",
  ".A",
  "Doe, J.",
  ".N",
  "CA581203 JB March 22, 1978  8:28 PM",
  ".X",
  "100\t5\t1",
  "1\t5\t1",
  ".I 2",
  ".T",
  "Tables for Merging",
  ".W",
  "Merging two ordered tables",
  "in one pass.",
  ".B",
  "CACM November, 1958",
  ".I 10",
  ".T",
  "Hash Addressing",
  ".W",
  "Scatter storage for symbol tables.",
  "",
].join("\n");
const CACM_QUERIES = [
  ".I 1",
  ".W",
  " What papers describe sorting",
  "methods?",
  ".N",
  " 1. J. Smith",
  ".I 2",
  ".W",
  " Hash tables.",
  ".A",
  "Roe, R.",
  "",
].join("\n");
const CACM_QRELS = ["01 2 0 0", "01 1 0 0", "02 10 0 0", ""].join("\n");

const CISI_DOCS = [
  ".I 1",
  ".T",
  "Libraries and catalogues",
  ".A",
  "Author, A.",
  ".W",
  "Card catalogues in",
  "  university libraries.",
  ".X",
  "1\t5\t1",
  ".I 2",
  ".T",
  "Indexing terms",
  ".W",
  "Controlled vocabularies.",
  "",
].join("\n");
const CISI_QUERIES = [
  ".I 1",
  ".T",
  "Catalogues",
  ".A",
  "Nobody",
  ".W",
  "How are card catalogues kept?",
  ".B",
  "ref",
  ".I 2",
  ".T",
  "Title only query",
  "",
].join("\n");
const CISI_QRELS = ["     1     1 0 0.000000", "     2     2 0 0.000000", "     2     1 0 0.000000", ""].join(
  "\n",
);

const MED_DOCS = [
  ".I 1",
  ".W",
  "the crystalline lens in vertebrates.",
  ".I 2",
  ".W",
  "blood flow in the",
  "retina.",
  ".I 13",
  ".W",
  "lens proteins.",
  "",
].join("\n");
const MED_QUERIES = [".I 1", ".W", "lens crystallins", ".I 2", ".W", "retinal blood flow", ""].join("\n");
const MED_QRELS = ["1 0 13 1", "1 0 1 1", "2 0 2 1", ""].join("\n");

const ADI_DOCS = [
  ".I 1",
  ".T",
  "information science education",
  ".A",
  "R. L. Writer",
  ".W",
  "courses for information",
  "specialists .",
  ".I 2",
  ".T",
  "microfilm",
  ".W",
  "storage on film .",
  "",
].join("\n");
const ADI_QUERIES = [
  ".I 1",
  ".W",
  "What is information science?",
  ".I 2",
  ".W",
  "How is microfilm used?",
  "",
].join("\n");
const ADI_QRELS = ["1 1 0 0.000000", "2 2 0 0.000000", ""].join("\n");

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

async function write(files: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) out[name] = await tmp.file(name, text);
  return out;
}

async function readAll(spec: Parameters<typeof openGlasgowCollection>[0]) {
  const c = await openGlasgowCollection(spec);
  return {
    c,
    docs: await collect(c.documents()),
    queries: await collect(c.queries()),
    qrels: (await c.qrels()).qrels,
  };
}

describe("Glasgow-format collections in each variant's layout", () => {
  it("CACM: `qid docid 0 0` pairs with leading-zero query ids, documents without .W", async () => {
    const f = await write({ "cacm.all": CACM_DOCS, "query.text": CACM_QUERIES, "qrels.text": CACM_QRELS });
    const { c, docs, queries, qrels } = await readAll({
      documents: f["cacm.all"]!,
      queries: f["query.text"]!,
      qrels: f["qrels.text"]!,
    });
    expect([c.qrelsFormat, c.queryIds]).toEqual(["pairs", "record"]);
    expect(docs.map((d) => d.id)).toEqual(["1", "2", "10"]);
    expect(docs[0]).toMatchObject({ title: "Preliminary Report on a Sorting Method", text: "" });
    expect(docs[0]?.metadata).toMatchObject({ author: "Doe, J.", references: "100 5 1 1 5 1" });
    expect(docs[1]?.text).toBe("Merging two ordered tables in one pass.");
    expect(queries).toEqual([
      { id: "1", text: "What papers describe sorting methods?" },
      { id: "2", text: "Hash tables." },
    ]);
    expect(qrels).toEqual(
      new Map([
        [
          "1",
          new Map([
            ["2", 1],
            ["1", 1],
          ]),
        ],
        ["2", new Map([["10", 1]])],
      ]),
    );
  });

  it("CISI: right-aligned `qid docid 0 0.000000`, queries with .T/.A/.B around .W, one with .T only", async () => {
    const f = await write({ "CISI.ALL": CISI_DOCS, "CISI.QRY": CISI_QUERIES, "CISI.REL": CISI_QRELS });
    const { docs, queries, qrels } = await readAll({
      documents: f["CISI.ALL"]!,
      queries: f["CISI.QRY"]!,
      qrels: f["CISI.REL"]!,
    });
    expect(docs[0]).toMatchObject({
      id: "1",
      title: "Libraries and catalogues",
      text: "Card catalogues in university libraries.",
    });
    expect(queries).toEqual([
      { id: "1", text: "How are card catalogues kept?" },
      { id: "2", text: "Title only query" },
    ]);
    expect(qrels.get("2")).toEqual(
      new Map([
        ["2", 1],
        ["1", 1],
      ]),
    );
  });

  it("MED: .I/.W only and trec_eval's `qid 0 docid relevance`", async () => {
    const f = await write({ "MED.ALL": MED_DOCS, "MED.QRY": MED_QUERIES, "MED.REL": MED_QRELS });
    const { c, docs, qrels } = await readAll({
      documents: f["MED.ALL"]!,
      queries: f["MED.QRY"]!,
      qrels: f["MED.REL"]!,
    });
    expect(c.qrelsFormat).toBe("trec");
    expect(docs.map((d) => [d.id, d.title, d.text])).toEqual([
      ["1", "", "the crystalline lens in vertebrates."],
      ["2", "", "blood flow in the retina."],
      ["13", "", "lens proteins."],
    ]);
    expect(qrels.get("1")).toEqual(
      new Map([
        ["13", 1],
        ["1", 1],
      ]),
    );
  });

  it("ADI: found in a directory by its *.ALL, *.QRY and *.REL names, with statistics", async () => {
    const dir = join(tmp.dir, "adi");
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(dir);
    await writeFile(join(dir, "ADI.ALL"), ADI_DOCS);
    await writeFile(join(dir, "ADI.QRY"), ADI_QUERIES);
    await writeFile(join(dir, "ADI.REL"), ADI_QRELS);
    expect(await detectCollectionFormat(dir)).toBe("glasgow");
    const stats = await collectionStats(dir);
    expect([stats.format, stats.documents, stats.queries]).toEqual(["glasgow", 2, 2]);
    expect(stats.splits).toMatchObject([{ name: "all", judgments: 2, relevant: 2, unknownQueries: 0 }]);
  });

  it("Cranfield (../shared/data/cranfield): cranfield codes detected, queries renumbered, as the Cranfield reader", async () => {
    const cran = join(SHARED_DATA, "cranfield");
    const spec = await loadGlasgowDir(cran);
    const { c, docs, queries, qrels } = await readAll(spec);
    expect([c.qrelsFormat, c.queryIds]).toEqual(["cranfield", "ordinal"]);
    expect([docs.length, queries.length]).toEqual([1400, 225]);
    expect(queries[1]).toMatchObject({ id: "2", metadata: { originalId: "002" } });
    expect(qrels).toEqual((await readCranfieldQrels(join(cran, "cranqrel"))).qrels);
  });

  it("a manifest names the files and may fix the conventions", async () => {
    const dir = join(tmp.dir, "cacm");
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(dir);
    await writeFile(join(dir, "cacm.all"), CACM_DOCS);
    await writeFile(join(dir, "query.text"), CACM_QUERIES);
    await writeFile(join(dir, "qrels.text"), CACM_QRELS);
    await writeFile(
      join(dir, "glasgow.json"),
      JSON.stringify({
        documents: "cacm.all",
        queries: "query.text",
        qrels: "qrels.text",
        queryIds: "ordinal",
      }),
    );
    expect(await detectCollectionFormat(dir)).toBe("glasgow");
    const spec = await readGlasgowManifest(dir);
    expect(spec).toEqual({
      documents: join(dir, "cacm.all"),
      queries: join(dir, "query.text"),
      qrels: join(dir, "qrels.text"),
      queryIds: "ordinal",
    });
    await writeFile(
      join(dir, "glasgow.json"),
      JSON.stringify({ documents: "cacm.all", queries: "query.text" }),
    );
    await expect(readGlasgowManifest(dir)).rejects.toThrow(/glasgow.json \(field "qrels"\)/);
    await writeFile(
      join(dir, "glasgow.json"),
      JSON.stringify({ documents: "a", queries: "b", qrels: "c", qrelsFormat: "smart" }),
    );
    await expect(readGlasgowManifest(dir)).rejects.toThrow(/field "qrelsFormat"/);
  });

  it("NPL: numbered records ending in a '/' line (indented in doc-text and rlv-ass), relevance lists", async () => {
    const f = await write({
      "doc-text": "1\nmicrowave dielectric\nmeasurements of liquids\n   /\n2\nferrite cores\n   /\n",
      "query-text": "1\nDIELECTRIC CONSTANT OF LIQUIDS\n/\n2\nFERRITE MEMORIES\n/\n",
      "rlv-ass": "1\n    1    2\n   /\n2\n 2\n   /\n",
    });
    const { c, docs, queries, qrels } = await readAll({
      documents: f["doc-text"]!,
      queries: f["query-text"]!,
      qrels: f["rlv-ass"]!,
    });
    expect(c.qrelsFormat).toBe("npl");
    expect(docs).toEqual([
      { id: "1", title: "", text: "microwave dielectric measurements of liquids" },
      { id: "2", title: "", text: "ferrite cores" },
    ]);
    expect(queries).toEqual([
      { id: "1", text: "DIELECTRIC CONSTANT OF LIQUIDS" },
      { id: "2", text: "FERRITE MEMORIES" },
    ]);
    expect(qrels).toEqual(
      new Map([
        [
          "1",
          new Map([
            ["1", 1],
            ["2", 1],
          ]),
        ],
        ["2", new Map([["2", 1]])],
      ]),
    );
    const bad = await write({ "rlv-bad": "1\n 1 x2\n   /\n", "doc-bad": "one\ntext\n   /\n" });
    await expect(
      (
        await openGlasgowCollection({
          documents: f["doc-text"]!,
          queries: f["query-text"]!,
          qrels: bad["rlv-bad"]!,
        })
      ).qrels(),
    ).rejects.toThrow(/rlv-bad:2 \(field "docid"\): not a document number: "x2"/);
    await expect(
      openGlasgowCollection({ documents: bad["doc-bad"]!, queries: f["query-text"]!, qrels: f["rlv-ass"]! }),
    ).rejects.toThrow(/doc-bad:1: expected ".I <id>"/);
  });

  it("malformed relevance lines are InputErrors naming file and line", async () => {
    const f = await write({
      "bad1.rel": "1 2 0 0\n1 3 0\n",
      "bad2.rel": "1 2 3 4 5\n",
      "bad3.rel": "1 0 2 x\n",
      "dup.rel": "1 0 2 1\n1 0 2 1\n",
    });
    const docs = (await write({ "d.all": MED_DOCS }))["d.all"]!;
    const qrelsOf = async (qrels: string) =>
      (await openGlasgowCollection({ documents: docs, queries: docs, qrels })).qrels();
    await expect(qrelsOf(f["bad1.rel"]!)).rejects.toThrow(/bad1\.rel:2: expected 4 columns, found 3/);
    await expect(qrelsOf(f["bad2.rel"]!)).rejects.toThrow(/bad2\.rel:1: not a Glasgow relevance line/);
    await expect(qrelsOf(f["bad3.rel"]!)).rejects.toThrow(/bad3\.rel:1 \(field "relevance"\)/);
    const dup = qrelsOf(f["dup.rel"]!);
    await expect(dup).rejects.toBeInstanceOf(InputError);
    await expect(dup).rejects.toThrow(/dup\.rel:2/);
  });
});

describe("convertToBeir", () => {
  it("writes a BEIR directory that reads back as the Glasgow collection", async () => {
    const f = await write({ "c.all": CACM_DOCS, "c.qry": CACM_QUERIES, "c.rel": CACM_QRELS });
    const source = await openGlasgowCollection({
      documents: f["c.all"]!,
      queries: f["c.qry"]!,
      qrels: f["c.rel"]!,
    });
    const out = join(tmp.dir, "beir-cacm");
    expect(await convertToBeir(source, out)).toEqual({ documents: 3, queries: 2, judgments: 3, skipped: 0 });
    expect(await collect(readBeirCorpus(join(out, "corpus.jsonl")))).toEqual(
      await collect(source.documents()),
    );
    expect(await collect(readBeirQueries(join(out, "queries.jsonl")))).toEqual(
      await collect(source.queries()),
    );
    expect(await readBeirQrels(join(out, "qrels", "test.tsv"))).toEqual((await source.qrels()).qrels);
    expect((await readFile(join(out, "qrels", "test.tsv"), "utf8")).split("\n")[0]).toBe(
      "query-id\tcorpus-id\tscore",
    );
  });

  it("writes nothing when the judgments are malformed", async () => {
    const f = await write({ "m.all": MED_DOCS, "m.qry": MED_QUERIES, "m.rel": "1 0 13 1\n1 0 1\n" });
    const source = await openGlasgowCollection({
      documents: f["m.all"]!,
      queries: f["m.qry"]!,
      qrels: f["m.rel"]!,
    });
    const out = join(tmp.dir, "beir-bad");
    await expect(convertToBeir(source, out)).rejects.toThrow(/m\.rel:2/);
    const { readdir } = await import("node:fs/promises");
    await expect(readdir(out)).rejects.toThrow();
  });
});
