import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ferret } from "../test-support/ferret-process.js";

/** Runs the BUILT cli (dist/main.js): `ferret data convert` of Glasgow-format collections to BEIR. */
const CRANFIELD = resolve(REPO_ROOT, "../shared/data/cranfield");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-data-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret data convert", () => {
  it("writes Cranfield as BEIR: 1,400 documents, 225 queries, 1,837 graded judgments", async () => {
    const out = join(tmp, "cranfield-beir");
    const r = await ferret(["data", "convert", CRANFIELD, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote 1,400 documents, 225 queries and 1,837 judgments \(cranfield relevance, ordinal/,
    );
    const stats = await ferret(["data", "stats", out, "--json"]);
    const json = JSON.parse(stats.stdout) as {
      format: string;
      documents: number;
      queries: number;
      splits: { name: string; judgments: number; labels: Record<string, number> }[];
    };
    expect([json.format, json.documents, json.queries]).toEqual(["beir", 1400, 225]);
    // Cleverdon codes -1/1/2/3/4 (225/128/387/734/363 rows, cranqrel) as grades 0/4/3/2/1.
    expect(json.splits).toMatchObject([
      { name: "test", judgments: 1837, labels: { "0": 225, "1": 363, "2": 734, "3": 387, "4": 128 } },
    ]);
  }, 60_000);

  it("takes --docs --queries --qrels, detects MED's trec-style judgments, and fails on a bad line", async () => {
    await writeFile(join(tmp, "MED.ALL"), ".I 1\n.W\nlens proteins.\n.I 2\n.W\nretinal blood flow.\n");
    await writeFile(join(tmp, "MED.QRY"), ".I 1\n.W\nlens\n");
    await writeFile(join(tmp, "MED.REL"), "1 0 1 1\n1 0 2 0\n");
    const out = join(tmp, "med-beir");
    const files = [
      "--docs",
      join(tmp, "MED.ALL"),
      "--queries",
      join(tmp, "MED.QRY"),
      "--qrels",
      join(tmp, "MED.REL"),
    ];
    const r = await ferret(["data", "convert", ...files, "--out", out, "--split", "all"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("(trec relevance, record query ids)");
    expect(await readFile(join(out, "qrels", "all.tsv"), "utf8")).toBe(
      "query-id\tcorpus-id\tscore\n1\t1\t1\n1\t2\t0\n",
    );

    await writeFile(join(tmp, "BAD.REL"), "1 0 1 1\n1 0 2\n");
    const bad = await ferret([
      "data",
      "convert",
      ...files.slice(0, 4),
      "--qrels",
      join(tmp, "BAD.REL"),
      "--out",
      join(tmp, "bad"),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`${join(tmp, "BAD.REL")}:2: expected 4 columns, found 3`);

    const usage = await ferret(["data", "convert", "--docs", join(tmp, "MED.ALL"), "--out", join(tmp, "x")]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/--docs, --queries and --qrels are all needed/);
  }, 60_000);

  it("converts TIME from its directory and LISA from --docs over several files", async () => {
    const time = join(tmp, "time");
    await mkdir(time);
    await writeFile(
      join(time, "TIME.ALL"),
      "*TEXT 017 01/04/63 PAGE 020\n\nA SUMMIT .\n\n*TEXT 020 01/04/63 PAGE 021\n\nA TRIAL .\n\n*STOP\n",
    );
    await writeFile(join(time, "TIME.QUE"), "*FIND     1\n\n TRIAL .\n\n*STOP\n");
    await writeFile(join(time, "TIME.REL"), "  1   2\n\n");
    const timeOut = join(tmp, "time-beir");
    const t = await ferret(["data", "convert", time, "--out", timeOut]);
    expect([t.code, t.stderr]).toEqual([0, ""]);
    expect(t.stdout).toMatch(
      /^wrote 2 documents, 1 queries and 1 judgments \(time relevance, record query ids\)/,
    );
    expect(await readFile(join(timeOut, "qrels", "test.tsv"), "utf8")).toBe(
      "query-id\tcorpus-id\tscore\n1\t2\t1\n",
    );

    const stars = "*".repeat(44);
    await writeFile(join(tmp, "LISA0.001"), `Document  1\nA TITLE.\n\nAN ABSTRACT.\n${stars}\n`);
    await writeFile(join(tmp, "LISA0.501"), `Document  501\nB TITLE.\n\nB ABSTRACT.\n${stars}\n`);
    await writeFile(join(tmp, "LISA.QUE"), "1\nI WANT ABSTRACTS. #\n");
    await writeFile(join(tmp, "LISARJ.NUM"), "           1           2           1\n         501\n");
    const docs = ["--docs", join(tmp, "LISA0.001"), join(tmp, "LISA0.501")];
    const lisaOut = join(tmp, "lisa-beir");
    const rest = ["--queries", join(tmp, "LISA.QUE"), "--qrels", join(tmp, "LISARJ.NUM"), "--out", lisaOut];
    const l = await ferret(["data", "convert", ...docs, ...rest]);
    expect([l.code, l.stderr]).toEqual([0, ""]);
    expect(l.stdout).toMatch(/^wrote 2 documents, 1 queries and 2 judgments \(lisa-num relevance/);
    expect(await readFile(join(lisaOut, "corpus.jsonl"), "utf8")).toBe(
      '{"_id":"1","title":"A TITLE.","text":"AN ABSTRACT."}\n{"_id":"501","title":"B TITLE.","text":"B ABSTRACT."}\n',
    );

    await writeFile(join(tmp, "LISA.BAD"), "           1           3           1\n         501\n");
    const bad = await ferret([
      "data",
      "convert",
      ...docs,
      ...rest.slice(0, 2),
      "--qrels",
      join(tmp, "LISA.BAD"),
      "--out",
      join(tmp, "lisa-bad"),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `${join(tmp, "LISA.BAD")}:1 (field "count"): query 1's list ends 1 document(s) short`,
    );
    const lenient = await ferret([
      "data",
      "convert",
      ...docs,
      ...rest.slice(0, 2),
      "--qrels",
      join(tmp, "LISA.BAD"),
      "--out",
      join(tmp, "lisa-lenient"),
      "--lenient",
    ]);
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toContain("warning: skipped 1 malformed lines (--lenient)");
  }, 60_000);
});
