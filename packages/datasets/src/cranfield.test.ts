import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { CRANFIELD_GRADES, cranfieldGrade, readCranfieldQrels, readCranfieldQueries } from "./cranfield.js";
import { readGlasgowDocuments, readGlasgowQueries, readGlasgowRecords } from "./glasgow.js";
import { SHARED_DATA, collect, tempDir } from "./test-support/paths.js";

const CRAN = join(SHARED_DATA, "cranfield");

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

describe("Cranfield documents (cran.all.1400, CRLF)", () => {
  it("reads 1,400 documents with title, text, author and bibliography", async () => {
    // `grep -c '^\.I' cran.all.1400` = 1400.
    const stream = readGlasgowDocuments(join(CRAN, "cran.all.1400"));
    const docs = await collect(stream);
    expect(docs).toHaveLength(1400);
    expect(stream.stats.skipped).toBe(0);
    expect(docs.map((d) => d.id)).toEqual(Array.from({ length: 1400 }, (_, i) => String(i + 1)));
    expect(docs[0]).toMatchObject({
      id: "1",
      title: "experimental investigation of the aerodynamics of a wing in a slipstream .",
      metadata: { author: "brenckman,m.", bibliography: "j. ae. scs. 25, 1958, 324." },
    });
    expect(
      docs[0]?.text.startsWith(
        "experimental investigation of the aerodynamics of a wing in a slipstream . an",
      ),
    ).toBe(true);
    expect(docs.some((d) => /\r|\n/.test(d.title + d.text))).toBe(false);
    // Documents 471 and 995 have empty fields (checked with awk on the file).
    expect(docs[470]).toEqual({ id: "471", title: "", text: "" });
  });

  it("keeps stray markers inside a field as part of that field", async () => {
    const docs = await collect(readGlasgowDocuments(join(CRAN, "cran.all.1400")));
    // Document 240 has ".A" and ".B" lines in the middle of its abstract; its real author and
    // bibliography are the first ones (`awk '/^\.I 240/,/^\.I 241/' cran.all.1400`).
    const d240 = docs[239];
    expect(d240?.metadata).toEqual({ author: "dean r. chapman", bibliography: "naca technote 3792" });
    expect(d240?.text).toContain(
      "into the separated region . application to turbulent separations is made for a prandtl number of unity in low-speed flow",
    );
    // Document 576 has a second ".W" (line 50 of the record); its text continues the abstract.
    expect(docs[575]?.text).toContain("benser, w.a. limit characteristics . the analysis indicated");
  });
});

describe("Cranfield queries and qrels", () => {
  it("renumbers queries 1..225 in file order and keeps the .I value", async () => {
    // cran.qry: `grep -c '^\.I'` = 225; the .I values are 001, 002, 004, ... 365.
    const queries = await collect(readCranfieldQueries(join(CRAN, "cran.qry")));
    expect(queries).toHaveLength(225);
    expect(queries.map((q) => q.id)).toEqual(Array.from({ length: 225 }, (_, i) => String(i + 1)));
    expect(queries[0]).toEqual({
      id: "1",
      text: "what similarity laws must be obeyed when constructing aeroelastic models of heated high speed aircraft .",
      metadata: { originalId: "001" },
    });
    expect(queries[2]?.metadata).toEqual({ originalId: "004" });
    expect(queries[224]).toEqual({
      id: "225",
      text: "what design factors can be used to control lift-drag ratios at mach numbers above 5 .",
      metadata: { originalId: "365" },
    });
    const original = await collect(readGlasgowQueries(join(CRAN, "cran.qry")));
    expect(original[224]?.id).toBe("365");
  });

  it("reads 1,837 judgments for 225 queries, graded with the raw code kept", async () => {
    // Independent count: `tr -d '\r' < cranqrel | awk 'NF' | wc -l` = 1837 (`wc -l` says 1836
    // because the last line has no newline); `awk '{print $1}' | sort -u | wc -l` = 225;
    // codes via `awk '{print $3}' | sort | uniq -c`: -1 ×225, 1 ×128, 2 ×387, 3 ×734, 4 ×363.
    const { qrels, codes, stats } = await readCranfieldQrels(join(CRAN, "cranqrel"));
    expect(stats).toEqual({ lines: 1837, records: 1837, skipped: 0 });
    expect(qrels.size).toBe(225);
    const histogram = (m: Map<string, Map<string, number>>) => {
      const h: Record<string, number> = {};
      for (const docs of m.values()) for (const v of docs.values()) h[v] = (h[v] ?? 0) + 1;
      return h;
    };
    expect(histogram(codes)).toEqual({ "-1": 225, "1": 128, "2": 387, "3": 734, "4": 363 });
    expect(histogram(qrels)).toEqual({ "0": 225, "4": 128, "3": 387, "2": 734, "1": 363 });
    // First lines of cranqrel: "1 184 2", "1 12 3", "1 13 4"; last: "225 1188 -1".
    expect(codes.get("1")?.get("184")).toBe(2);
    expect(qrels.get("1")?.get("184")).toBe(3);
    expect(qrels.get("1")?.get("13")).toBe(1);
    expect(codes.get("225")?.get("1188")).toBe(-1);
    expect(qrels.get("225")?.get("1188")).toBe(0);
  });

  it("maps Cleverdon codes so that higher is more relevant", () => {
    expect([1, 2, 3, 4, 5, -1].map(cranfieldGrade)).toEqual([4, 3, 2, 1, 0, 0]);
    expect(cranfieldGrade(0)).toBeUndefined();
    expect(cranfieldGrade(6)).toBeUndefined();
    expect(CRANFIELD_GRADES.size).toBe(6);
  });
});

describe("Glasgow format on bad input", () => {
  it("names file, line and field", async () => {
    const cases: [string, string, number, string | undefined, RegExp][] = [
      ["pre.all", "junk\r\n.I 1\r\n.W\r\ntext\r\n", 1, undefined, /before the first \.I/],
      ["noid.all", ".I 1\n.W\na\n.I\n.W\nb\n", 4, "I", /missing record id/],
      ["dup.all", ".I 1\n.W\na\n.I 2\n.W\nb\n.I 1\n.W\nc\n", 7, "I", /duplicate record id "1"/],
      ["nofield.all", ".I 1\nloose text\n.W\na\n", 2, undefined, /before any field marker/],
    ];
    for (const [name, text, line, field, problem] of cases) {
      const path = await tmp.file(name, text);
      const err = await collect(readGlasgowRecords(path)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(InputError);
      expect([(err as InputError).file, (err as InputError).line, (err as InputError).field], name).toEqual([
        path,
        line,
        field,
      ]);
      expect((err as InputError).message).toMatch(problem);
    }
  });

  it("lenient mode skips bad records and lines", async () => {
    const path = await tmp.file(
      "lenient.all",
      "junk\n.I 1\n.T\nt1\n.W\nw1\n.I 1\n.W\ndup\n.I 2\nloose\n.W\nw2\n",
    );
    const stream = readGlasgowDocuments(path, { lenient: true });
    const docs = await collect(stream);
    expect(docs).toEqual([
      { id: "1", title: "t1", text: "w1" },
      { id: "2", title: "", text: "w2" },
    ]);
    expect(stream.stats).toMatchObject({ records: 2, skipped: 3 });
  });

  it("rejects bad cranqrel lines", async () => {
    const cases: [string, number, string | undefined, RegExp][] = [
      ["1 184 2\n1 29\n", 2, undefined, /expected 3 columns/],
      ["1 184 x\n", 1, "code", /not an integer/],
      ["1 184 7\n", 1, "code", /unknown relevance code 7/],
      ["1 184 2\n1 184 3\n", 2, "docid", /duplicate judgment/],
    ];
    for (const [text, line, field, problem] of cases) {
      const path = await tmp.file(`bad-${line}-${String(field)}-${text.length}.qrel`, text);
      const err = await readCranfieldQrels(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect([(err as InputError).line, (err as InputError).field]).toEqual([line, field]);
      expect((err as InputError).message).toMatch(problem);
    }
    const lenient = await readCranfieldQrels(await tmp.file("l.qrel", "1 1 1\n1 2 9\n1 1 2\n2 3 -1\n"), {
      lenient: true,
    });
    expect(lenient.stats).toEqual({ lines: 4, records: 2, skipped: 2 });
    expect(lenient.qrels.get("2")?.get("3")).toBe(0);
  });
});
