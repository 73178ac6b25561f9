import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertToBeir } from "./beir-convert.js";
import { readBeirCorpus, readBeirQueries } from "./beir-jsonl.js";
import { readBeirQrels } from "./beir-qrels.js";
import { detectCollectionFormat, loadGlasgowDir } from "./collection-dir.js";
import { openGlasgowCollection } from "./glasgow-collection.js";
import { readTimeDocuments, readTimeQrels, readTimeQueries } from "./time.js";
import { inputFailure } from "./test-support/outcomes.js";
import { collect, tempDir } from "./test-support/paths.js";

// Files written in TIME's own layout (the Glasgow distribution's TIME.ALL, TIME.QUE, TIME.REL; the
// texts are made up): `*TEXT nnn mm/dd/yy PAGE nnn` headers with blank lines between the text lines,
// `*FIND     n` queries, `*STOP` at the end of both, and right-aligned `qid docid docid ...` lines.
const TIME_ALL = [
  "*TEXT 017 01/04/63 PAGE 020",
  "",
  "THE ALLIES AFTER A SUMMIT . EUROPE WEIGHS A",
  "",
  "NUCLEAR FORCE OF ITS OWN .",
  "",
  "*TEXT 020 01/04/63 PAGE 021",
  "",
  "A TRIAL IN THE CAPITAL .",
  "",
  "*TEXT 021 01/04 63 PAGE 022",
  "",
  "THE BUDDHISTS PROTEST AGAIN .",
  "",
  "*STOP",
  "",
].join("\n");
const TIME_QUE = [
  "*FIND     1",
  "",
  " NUCLEAR FORCE OF EUROPE",
  "",
  "AFTER THE SUMMIT .",
  "",
  "*FIND     2",
  "",
  " BUDDHIST PROTESTS .",
  "",
  "*STOP",
  "",
].join("\n");
const TIME_REL = ["  1   1", "", "  2   3   2", ""].join("\n");

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

describe("TIME readers", () => {
  it("number documents by position (as TIME.REL does) and keep text number, date and page", async () => {
    const path = await tmp.file("TIME.ALL", TIME_ALL);
    const stream = readTimeDocuments(path);
    expect(await collect(stream)).toEqual([
      {
        id: "1",
        title: "",
        text: "THE ALLIES AFTER A SUMMIT . EUROPE WEIGHS A NUCLEAR FORCE OF ITS OWN .",
        metadata: { textNumber: "017", date: "01/04/63", page: "020" },
      },
      {
        id: "2",
        title: "",
        text: "A TRIAL IN THE CAPITAL .",
        metadata: { textNumber: "020", date: "01/04/63", page: "021" },
      },
      {
        id: "3",
        title: "",
        text: "THE BUDDHISTS PROTEST AGAIN .",
        metadata: { textNumber: "021", date: "01/04 63", page: "022" },
      },
    ]);
    expect(stream.stats).toEqual({ lines: 15, records: 3, skipped: 0 });
  });

  it("read *FIND queries and `qid docid ...` judgments", async () => {
    expect(await collect(readTimeQueries(await tmp.file("TIME.QUE", TIME_QUE)))).toEqual([
      { id: "1", text: "NUCLEAR FORCE OF EUROPE AFTER THE SUMMIT ." },
      { id: "2", text: "BUDDHIST PROTESTS ." },
    ]);
    const { qrels, stats } = await readTimeQrels(await tmp.file("TIME.REL", TIME_REL));
    expect(qrels).toEqual(
      new Map([
        ["1", new Map([["1", 1]])],
        [
          "2",
          new Map([
            ["3", 1],
            ["2", 1],
          ]),
        ],
      ]),
    );
    expect(stats.records).toBe(3);
  });

  it("name the file, line and field of a bad record", async () => {
    const cases: [string, string, number, string | undefined, RegExp][] = [
      ["*FIND 3\nTEXT\n", "TIME.ALL", 1, "FIND", /a \*FIND line in a file of \*TEXT records/],
      ["*TEXT 1\nA\n*TEXT 01 x\nB\n", "TIME.ALL", 3, "TEXT", /duplicate record number 01/],
      ["*TEXT x\n", "TIME.ALL", 1, "TEXT", /expected "\*TEXT <number>"/],
      ["stray\n*TEXT 1\n", "TIME.ALL", 1, undefined, /text before the first \*TEXT record/],
      ["*TEXT 1\nA\n*STOP\nB\n", "TIME.ALL", 4, undefined, /text after \*STOP/],
    ];
    for (const [text, name, line, field, message] of cases) {
      const path = await tmp.file(name, text);
      const err = await inputFailure(collect(readTimeDocuments(path)));
      expect([err.details, err.message]).toMatchObject([
        { file: path, line, field },
        expect.stringMatching(message),
      ]);
    }
    const rel: [string, number, string, RegExp][] = [
      ["1 2\n1 3\n", 2, "qid", /query 1 is listed twice/],
      ["1 2 x\n", 1, "docid", /not a document number: "x"/],
      ["1 2 02\n", 1, "docid", /document 02 is listed twice for query 1/],
      ["q 2\n", 1, "qid", /not a query number/],
    ];
    for (const [text, line, field, message] of rel) {
      const path = await tmp.file("BAD.REL", text);
      const err = await inputFailure(readTimeQrels(path));
      expect([err.details, err.message]).toMatchObject([
        { file: path, line, field },
        expect.stringMatching(message),
      ]);
    }
    // Lenient: the bad record is skipped and counted, the rest read.
    const lenient = readTimeDocuments(await tmp.file("L.ALL", "*TEXT 1\nA\n*TEXT x\nB\n*TEXT 2\nC\n"), {
      lenient: true,
    });
    expect((await collect(lenient)).map((d) => d.text)).toEqual(["A", "C"]);
    expect(lenient.stats.skipped).toBe(1);
  });
});

describe("TIME as a Glasgow collection", () => {
  it("is found by TIME.ALL, TIME.QUE and TIME.REL, detected, and converts to BEIR", async () => {
    const sub = await tempDir();
    await sub.file("TIME.ALL", TIME_ALL);
    await sub.file("TIME.QUE", TIME_QUE);
    await sub.file("TIME.REL", TIME_REL);
    await sub.file("TIME.STP", "A\nTHE\n");
    expect(await detectCollectionFormat(sub.dir)).toBe("glasgow");
    const collection = await openGlasgowCollection(await loadGlasgowDir(sub.dir));
    expect([collection.qrelsFormat, collection.queryIds]).toEqual(["time", "record"]);
    const out = `${tmp.dir}/time-beir`;
    expect(await convertToBeir(collection, out)).toEqual({
      documents: 3,
      queries: 2,
      judgments: 3,
      skipped: 0,
    });
    expect((await collect(readBeirCorpus(`${out}/corpus.jsonl`))).map((d) => [d.id, d.metadata])).toEqual([
      ["1", { textNumber: "017", date: "01/04/63", page: "020" }],
      ["2", { textNumber: "020", date: "01/04/63", page: "021" }],
      ["3", { textNumber: "021", date: "01/04 63", page: "022" }],
    ]);
    expect((await collect(readBeirQueries(`${out}/queries.jsonl`))).map((q) => q.id)).toEqual(["1", "2"]);
    expect(await readBeirQrels(`${out}/qrels/test.tsv`)).toEqual(
      new Map([
        ["1", new Map([["1", 1]])],
        [
          "2",
          new Map([
            ["3", 1],
            ["2", 1],
          ]),
        ],
      ]),
    );
    // Lenient: a bad document line and a bad judgment line are skipped and counted.
    await sub.file("TIME.ALL", TIME_ALL.replace("*TEXT 020", "*TEXT x\nJUNK\n*TEXT 020"));
    await sub.file("TIME.REL", `${TIME_REL}\n  3  x\n`);
    const lenient = await openGlasgowCollection(await loadGlasgowDir(sub.dir));
    expect(await convertToBeir(lenient, `${tmp.dir}/time-lenient`, { lenient: true })).toEqual({
      documents: 3,
      queries: 2,
      judgments: 3,
      skipped: 2,
    });
    await sub.cleanup();
  });
});
