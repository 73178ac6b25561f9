import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { InputError } from "@ferret/errors";
import { parseTrecRun, readTrecRun } from "./trec-run.js";
import { writeTrecRun } from "./trec-writers.js";
import { tempDir } from "./test-support/paths.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

describe("readTrecRun", () => {
  it("reads qid Q0 docid rank score tag, with CRLF, tabs and blank lines", async () => {
    const path = await tmp.file(
      "ok.run",
      "q1 Q0 d1 1 12.5 bm25\r\nq1 Q0 d2 2 -3e-2 bm25\r\n\r\nq2\tQ0\td1\t1\t7 bm25\n",
    );
    const { run, stats, name } = await readTrecRun(path);
    expect(name).toBe("bm25");
    expect(stats).toEqual({ lines: 4, records: 3, skipped: 0 });
    expect([...run.keys()]).toEqual(["q1", "q2"]);
    expect(run.get("q1")?.get("d2")).toBe(-0.03);
    expect(run.get("q2")?.get("d1")).toBe(7);
  });

  it("skips comment lines (first non-blank character '#'), as trec_eval 10.0 does", () => {
    const text = "# run of 2026\nq1 Q0 d1 1 2 t\n  # q1 Q0 d9 2 1 t\n#x\nq1 Q0 d2 2 1 t\n# end";
    const { run, stats } = parseTrecRun(text, { file: "c.run" });
    expect([...(run.get("q1")?.keys() ?? [])]).toEqual(["d1", "d2"]);
    expect(stats).toEqual({ lines: 6, records: 2, skipped: 0 });
  });

  it("names file, line and field for each kind of bad line", async () => {
    const cases: [string, string, number, string | undefined, RegExp][] = [
      ["cols.run", "q1 Q0 d1 1 1.0 t\nq1 Q0 d2 2 1.0\n", 2, undefined, /expected 6 columns/],
      ["score.run", "q1 Q0 d1 1 abc t\n", 1, "score", /not a number: "abc"/],
      ["nan.run", "q1 Q0 d1 1 NaN t\n", 1, "score", /not a number/],
      ["hex.run", "q1 Q0 d1 1 0x10 t\n", 1, "score", /not a number/],
      [
        "dup.run",
        "q1 Q0 d1 1 2 t\nq2 Q0 d1 1 2 t\nq1 Q0 d1 3 1 t\n",
        3,
        "docid",
        /duplicate document "d1" for query "q1"/,
      ],
    ];
    for (const [name, text, line, field, problem] of cases) {
      const path = await tmp.file(name, text);
      const err = await readTrecRun(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(InputError);
      const input = err as InputError;
      expect(input.file).toBe(path);
      expect(input.line).toBe(line);
      expect(input.field).toBe(field);
      expect(input.message).toMatch(problem);
      expect(input.message.startsWith(`${path}:${line}`)).toBe(true);
    }
  });

  it("lenient mode skips and counts bad lines, keeping the first of a duplicate", async () => {
    const path = await tmp.file(
      "mixed.run",
      ["q1 Q0 d1 1 3 t", "q1 Q0 d2 2 x t", "q1 Q0 d1 3 1 t", "too few", "q2 Q0 d9 1 1 t", ""].join("\n"),
    );
    const { run, stats } = await readTrecRun(path, { lenient: true });
    expect(stats).toEqual({ lines: 5, records: 2, skipped: 3 });
    expect(run.get("q1")).toEqual(new Map([["d1", 3]]));
    expect(run.get("q2")).toEqual(new Map([["d9", 1]]));
  });

  it("parses inline runs with the same rules", () => {
    const { run, name } = parseTrecRun("a Q0 x 1 0.5 mine\na Q0 y 2 0.25 mine\n", { file: "<request>" });
    expect(name).toBe("mine");
    expect(run.get("a")).toEqual(
      new Map([
        ["x", 0.5],
        ["y", 0.25],
      ]),
    );
    expect(() => parseTrecRun("a Q0 x 1 0.5 mine\na Q0 x 2 0.4 mine", { file: "<request>" })).toThrow(
      '<request>:2 (field "docid"): duplicate document "x" for query "a"',
    );
  });

  it("reports progress up to the file size", async () => {
    // ~2.4 MB: more than two 1 MiB chunks, so progress is reported several times.
    const lines = Array.from({ length: 100_000 }, (_, i) => `q${i % 7} Q0 doc${i} ${i} 1.5 t\n`);
    const text = lines.join("");
    const path = await tmp.file("progress.run", text);
    const seen: [number, number][] = [];
    const { stats } = await readTrecRun(path, { onProgress: (read, total) => seen.push([read, total]) });
    expect(stats.records).toBe(100_000);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every(([, total]) => total === text.length)).toBe(true);
    expect(seen.map(([read]) => read)).toEqual([...seen.map(([read]) => read)].sort((a, b) => a - b));
    expect(seen.at(-1)).toEqual([text.length, text.length]);
  });

  it("throws NOT_FOUND for a missing file", async () => {
    await expect(readTrecRun(`${tmp.dir}/absent.run`)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("writeTrecRun", () => {
  /*
   * Expected ranks come from trec_eval itself (pytrec_eval-terrier 0.5.11), evaluating this run
   * against qrels {q1: d10, q2: B, q3: doc-9} with recip_rank: q1 0.5, q2 0.3333, q3 1.0, i.e. the
   * relevant tied document sits at rank 2, 3 and 1. That is comp_sim_docno's rule (score desc,
   * then strcmp(docno2, docno1): docids in descending byte order): "d9" > "d10" > "d1";
   * "b" (0x62) > "a" (0x61) > "B" (0x42); "doc-9" > "doc-10" > "doc-1".
   */
  const run = new Map([
    [
      "q1",
      new Map([
        ["d10", 1.0],
        ["d9", 1.0],
        ["d1", 1.0],
        ["d2", 0.5],
      ]),
    ],
    [
      "q2",
      new Map([
        ["a", 2.0],
        ["B", 2.0],
        ["b", 2.0],
      ]),
    ],
    [
      "q3",
      new Map([
        ["doc-10", 3.0],
        ["doc-9", 3.0],
        ["doc-1", 3.0],
      ]),
    ],
  ]);

  it("orders ties as trec_eval does and numbers ranks 1..n", async () => {
    const path = `${tmp.dir}/ties.run`;
    await writeTrecRun(path, run, { tag: "tied" });
    const text = await readFile(path, "utf8");
    expect(text).toBe(
      [
        "q1 Q0 d9 1 1 tied",
        "q1 Q0 d10 2 1 tied",
        "q1 Q0 d1 3 1 tied",
        "q1 Q0 d2 4 0.5 tied",
        "q2 Q0 b 1 2 tied",
        "q2 Q0 a 2 2 tied",
        "q2 Q0 B 3 2 tied",
        "q3 Q0 doc-9 1 3 tied",
        "q3 Q0 doc-10 2 3 tied",
        "q3 Q0 doc-1 3 3 tied",
        "",
      ].join("\n"),
    );
    const rankOf = (q: string, d: string) =>
      text
        .split("\n")
        .find((l) => l.startsWith(`${q} Q0 ${d} `))
        ?.split(" ")[3];
    // pytrec_eval recip_rank 0.5, 0.3333, 1.0 -> ranks 2, 3, 1.
    expect([rankOf("q1", "d10"), rankOf("q2", "B"), rankOf("q3", "doc-9")]).toEqual(["2", "3", "1"]);
  });

  it("cuts at depth and round-trips scores exactly", async () => {
    const precise = new Map([
      [
        "q",
        new Map([
          ["x", 0.1 + 0.2],
          ["y", 1 / 3],
          ["z", -1e-300],
        ]),
      ],
    ]);
    const path = `${tmp.dir}/depth.run`;
    await writeTrecRun(path, precise, { tag: "p", depth: 2 });
    const back = await readTrecRun(path);
    expect(back.name).toBe("p");
    expect(back.run).toEqual(
      new Map([
        [
          "q",
          new Map([
            ["y", 1 / 3],
            ["x", 0.1 + 0.2],
          ]),
        ],
      ]),
    );
  });

  it("rejects a tag with whitespace and leaves no file behind", async () => {
    const path = `${tmp.dir}/bad-tag.run`;
    await expect(writeTrecRun(path, run, { tag: "two words" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(readFile(path)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
