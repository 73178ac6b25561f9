import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { convertToBeir } from "./beir-convert.js";
import { readBeirCorpus } from "./beir-jsonl.js";
import { readBeirQrels } from "./beir-qrels.js";
import { detectCollectionFormat, loadGlasgowDir } from "./collection-dir.js";
import { openGlasgowCollection, readGlasgowManifest } from "./glasgow-collection.js";
import { readLisaDocuments, readLisaNumQrels, readLisaQrels, readLisaQueries } from "./lisa.js";
import { inputFailure } from "./test-support/outcomes.js";
import { collect, tempDir } from "./test-support/paths.js";

// Files written in LISA's own layout (the Glasgow distribution's LISA0.001 ... LISA5.850, LISA.QUE,
// LISA.REL and LISARJ.NUM; the texts are made up): `Document  n` headers, a title up to the first blank
// line, 44-asterisk separators; numbered queries ended by `#`; `Query n` / `k Relevant Refs:` / ids
// ending in -1; and LISARJ.NUM's right-aligned `qid k docid ...` numbers wrapped onto further lines.
const STARS = "*".repeat(44);
const LISA0_001 = [
  "Document  1",
  "ADULT EDUCATION IN THE PUBLIC LIBRARIES OF A SMALL",
  "COUNTRY.",
  "",
  "SURVEYS THE CLASSES A LIBRARY SERVICE RUNS FOR ADULTS AND THE",
  "BOOKS THEY BORROW.",
  STARS,
  "Document  2",
  "INDEXING BY TITLE WORDS.",
  "",
  "COMPARES TITLE WORDS WITH ASSIGNED TERMS.",
  STARS,
  "",
].join("\n");
const LISA0_501 = [
  "Document  501",
  "A CATALOGUE ON LINE.",
  "",
  "DESCRIBES A CATALOGUE SEARCHED FROM TERMINALS.",
  STARS,
  "",
].join("\n");
const LISA_QUE = [
  "1",
  "I AM INTERESTED IN ADULT EDUCATION IN LIBRARIES. ADULT EDUCATION,",
  "PUBLIC LIBRARIES. #",
  "2",
  "I WANT PAPERS ON ON-LINE CATALOGUES.",
  "#",
  "",
].join("\n");
const LISA_REL = [
  "Query 1",
  "2 Relevant Refs:",
  "1 501 -1",
  "",
  "Query 2",
  "1 Relevant Refs:",
  "501",
  "-1",
  "",
].join("\n");
const LISARJ_NUM = [
  "           1           2           1         501",
  "           2           1",
  "         501",
  "",
].join("\n");
const JUDGED = new Map([
  [
    "1",
    new Map([
      ["1", 1],
      ["501", 1],
    ]),
  ],
  ["2", new Map([["501", 1]])],
]);

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

describe("LISA readers", () => {
  it("read documents over several files: title to the first blank line, abstract to the separator", async () => {
    const files = [await tmp.file("LISA0.001", LISA0_001), await tmp.file("LISA0.501", LISA0_501)];
    const stream = readLisaDocuments(files);
    expect(await collect(stream)).toEqual([
      {
        id: "1",
        title: "ADULT EDUCATION IN THE PUBLIC LIBRARIES OF A SMALL COUNTRY.",
        text: "SURVEYS THE CLASSES A LIBRARY SERVICE RUNS FOR ADULTS AND THE BOOKS THEY BORROW.",
      },
      { id: "2", title: "INDEXING BY TITLE WORDS.", text: "COMPARES TITLE WORDS WITH ASSIGNED TERMS." },
      { id: "501", title: "A CATALOGUE ON LINE.", text: "DESCRIBES A CATALOGUE SEARCHED FROM TERMINALS." },
    ]);
    expect(stream.stats.records).toBe(3);
  });

  it("read `#`-ended queries, LISA.REL and LISARJ.NUM to the same judgments", async () => {
    expect(await collect(readLisaQueries(await tmp.file("LISA.QUE", LISA_QUE)))).toEqual([
      {
        id: "1",
        text: "I AM INTERESTED IN ADULT EDUCATION IN LIBRARIES. ADULT EDUCATION, PUBLIC LIBRARIES.",
      },
      { id: "2", text: "I WANT PAPERS ON ON-LINE CATALOGUES." },
    ]);
    const rel = await readLisaQrels(await tmp.file("LISA.REL", LISA_REL));
    expect(rel.qrels).toEqual(JUDGED);
    expect(rel.stats.records).toBe(3);
    expect((await readLisaNumQrels(await tmp.file("LISARJ.NUM", LISARJ_NUM))).qrels).toEqual(JUDGED);
  });

  it("name the file, line and field of a bad record", async () => {
    const docs: [string, number, string | undefined, RegExp][] = [
      [
        "Document 1\nT\n\nA\nDocument 2\n",
        5,
        "Document",
        /document 1 has no separator line before "Document 2"/,
      ],
      [`Document 1\nT\n${STARS}\nstray\n`, 4, undefined, /expected "Document <number>", found "stray"/],
      [`Document 1\nT\n${STARS}\nDocument 01\n`, 4, "Document", /duplicate document number 01/],
      [`${STARS}\n`, 1, undefined, /a separator line outside a document/],
    ];
    for (const [text, line, field, message] of docs) {
      const path = await tmp.file("LISA9.001", text);
      const err = await inputFailure(collect(readLisaDocuments(path)));
      expect([err.details, err.message]).toMatchObject([
        { file: path, line, field },
        expect.stringMatching(message),
      ]);
    }
    // A number repeated in a later file names that file.
    const first = await tmp.file("LISA8.001", `Document 7\nT\n${STARS}\n`);
    const second = await tmp.file("LISA8.501", `Document 7\nT\n${STARS}\n`);
    expect((await inputFailure(collect(readLisaDocuments([first, second])))).details).toMatchObject({
      file: second,
      line: 1,
    });

    const queries: [string, number, string, RegExp][] = [
      ["1\nTEXT #\nTWO\nMORE #\n", 3, "id", /expected a query number, found "TWO"/],
      ["1\nTEXT\n", 1, "#", /query 1 has no closing "#"/],
      ["1\nA #\n01\nB #\n", 3, "id", /duplicate query number 01/],
    ];
    for (const [text, line, field, message] of queries) {
      const path = await tmp.file("BAD.QUE", text);
      const err = await inputFailure(collect(readLisaQueries(path)));
      expect([err.details, err.message]).toMatchObject([
        { file: path, line, field },
        expect.stringMatching(message),
      ]);
    }

    const rel: [string, number, string, RegExp][] = [
      ["Query 1\n2 Relevant Refs:\n5 -1\n", 3, "Relevant Refs", /query 1 says 2 relevant refs but lists 1/],
      ["Query 1\nRelevant Refs:\n5 -1\n", 2, "Relevant Refs", /expected "<count> Relevant Refs:"/],
      ["1 Relevant Refs:\n5 -1\n", 1, "Query", /expected "Query <number>"/],
      ["Query 1\n2 Relevant Refs:\n5 6\n", 1, "Query", /query 1's judgments end without "-1"/],
      ["Query 1\n1 Relevant Refs:\n5 -1 6\n", 3, "docid", /text after the closing "-1"/],
      ["Query 1\n1 Relevant Refs:\n5x -1\n", 3, "docid", /not a document number: "5x"/],
      [
        "Query 1\n1 Relevant Refs:\n5 -1\nQuery 1\n1 Relevant Refs:\n6 -1\n",
        4,
        "qid",
        /query 1 is judged twice/,
      ],
    ];
    for (const [text, line, field, message] of rel) {
      const path = await tmp.file("BAD.REL", text);
      const err = await inputFailure(readLisaQrels(path));
      expect([err.details, err.message]).toMatchObject([
        { file: path, line, field },
        expect.stringMatching(message),
      ]);
    }

    // Lenient: a query whose list is wrong is dropped whole, the others read.
    const lenientRel = await readLisaQrels(
      await tmp.file("L.REL", "Query 1\n2 Relevant Refs:\n5 -1\nQuery 2\n1 Relevant Refs:\n6 -1\n"),
      { lenient: true },
    );
    expect([lenientRel.qrels, lenientRel.stats.skipped, lenientRel.stats.records]).toEqual([
      new Map([["2", new Map([["6", 1]])]]),
      1,
      1,
    ]);
    const lenientNum = await readLisaNumQrels(await tmp.file("L.NUM", "2 1 6\n1 3 5 7\n"), { lenient: true });
    expect([lenientNum.qrels, lenientNum.stats.skipped]).toEqual([new Map([["2", new Map([["6", 1]])]]), 1]);

    const num: [string, number, string, RegExp][] = [
      ["1 2 5\n", 1, "count", /query 1's list ends 1 document\(s\) short/],
      ["1 2 5 x\n", 1, "docid", /not a document number: "x"/],
      ["1 -2 5\n", 1, "count", /not a count of documents: "-2"/],
      ["1 1 5\n2 1 6\n1 1\n7\n", 3, "qid", /query 1 is judged twice/],
      ["1\n", 1, "count", /query 1 has no count of documents/],
    ];
    for (const [text, line, field, message] of num) {
      const path = await tmp.file("BAD.NUM", text);
      const err = await inputFailure(readLisaNumQrels(path));
      expect([err.details, err.message]).toMatchObject([
        { file: path, line, field },
        expect.stringMatching(message),
      ]);
    }
  });
});

describe("LISA as a Glasgow collection", () => {
  it("is found by its LISA<n>.<nnn>, LISA.QUE and LISA.REL names, in name order, and converts to BEIR", async () => {
    const dir = await tempDir();
    // Written out of order: the reader takes LISA0.001 before LISA0.501.
    await dir.file("LISA0.501", LISA0_501);
    await dir.file("LISA0.001", LISA0_001);
    await dir.file("LISA.QUE", LISA_QUE);
    await dir.file("LISA.REL", LISA_REL);
    expect(await detectCollectionFormat(dir.dir)).toBe("glasgow");
    const collection = await openGlasgowCollection(await loadGlasgowDir(dir.dir));
    expect(collection.documentsPaths).toEqual([`${dir.dir}/LISA0.001`, `${dir.dir}/LISA0.501`]);
    expect(collection.qrelsFormat).toBe("lisa");
    const out = `${tmp.dir}/lisa-beir`;
    expect(await convertToBeir(collection, out)).toEqual({
      documents: 3,
      queries: 2,
      judgments: 3,
      skipped: 0,
    });
    expect((await collect(readBeirCorpus(`${out}/corpus.jsonl`))).map((d) => d.id)).toEqual([
      "1",
      "2",
      "501",
    ]);
    expect(await readBeirQrels(`${out}/qrels/test.tsv`)).toEqual(JUDGED);
    await dir.cleanup();
  });

  it("prefers LISARJ.NUM to LISA.REL, and a manifest may list the document files", async () => {
    const dir = await tempDir();
    await dir.file("LISA0.001", LISA0_001);
    await dir.file("LISA0.501", LISA0_501);
    await dir.file("LISA.QUE", LISA_QUE);
    await dir.file("LISARJ.NUM", LISARJ_NUM);
    // A LISA.REL damaged as the distributed one is (a list running into a later query's) is not read.
    await dir.file("LISA.REL", "Query 1\n2 Relevant Refs:\n1\n1 Relevant Refs:\n501 -1\n");
    const found = await openGlasgowCollection(await loadGlasgowDir(dir.dir));
    expect(found.qrelsFormat).toBe("lisa-num");
    expect((await found.qrels()).qrels).toEqual(JUDGED);

    await dir.file(
      "glasgow.json",
      JSON.stringify({ documents: ["LISA0.501", "LISA0.001"], queries: "LISA.QUE", qrels: "LISARJ.NUM" }),
    );
    const listed = await openGlasgowCollection(await readGlasgowManifest(dir.dir));
    expect((await collect(listed.documents())).map((d) => d.id)).toEqual(["501", "1", "2"]);
    await dir.file("glasgow.json", JSON.stringify({ documents: ["LISA0.001", 3], queries: "q", qrels: "r" }));
    expect((await inputFailure(readGlasgowManifest(dir.dir))).details).toMatchObject({
      field: "documents[1]",
    });
    await dir.cleanup();
  });

  it("refuses several documents files of any other format", async () => {
    const a = await tmp.file("A.ALL", ".I 1\n.W\nx\n");
    await expect(
      openGlasgowCollection({ documents: [a, a], queries: a, qrels: await tmp.file("A.REL", "1 1 0 0\n") }),
    ).rejects.toThrow(/several documents files are read for LISA's "Document n" records only/);
  });
});
