import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "@ferret/errors";
import { parseTrecQrels, readTrecQrels } from "./trec-qrels.js";
import { writeTrecQrels } from "./trec-writers.js";
import { tempDir } from "./test-support/paths.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir();
});
afterAll(async () => {
  await tmp.cleanup();
});

describe("readTrecQrels", () => {
  it("reads graded, zero and negative labels and ignores the iteration column", async () => {
    const path = await tmp.file("ok.qrels", "301 0 FBIS3-1 2\r\n301 0 FBIS3-2 0\r\n302 Q0 LA-9 -1\r\n");
    const { qrels, stats } = await readTrecQrels(path);
    expect(stats).toEqual({ lines: 3, records: 3, skipped: 0 });
    expect(qrels).toEqual(
      new Map([
        [
          "301",
          new Map([
            ["FBIS3-1", 2],
            ["FBIS3-2", 0],
          ]),
        ],
        ["302", new Map([["LA-9", -1]])],
      ]),
    );
  });

  it("skips comment lines (first non-blank character '#'), also two in a row", () => {
    const text = "# judged 2026\n# by assessors\nq1 0 d1 2\n  # q1 0 d9 1\nq1 0 d2 0\n";
    const { qrels, stats } = parseTrecQrels(text, { file: "c.qrels" });
    expect([...(qrels.get("q1")?.entries() ?? [])]).toEqual([
      ["d1", 2],
      ["d2", 0],
    ]);
    expect(stats.records).toBe(2);
  });

  it("rejects bad lines with file, line and field", async () => {
    const cases: [string, number, string | undefined, RegExp][] = [
      ["1 0 d1 1\n1 0 d2\n", 2, undefined, /expected 4 columns/],
      ["1 0 d1 1.5\n", 1, "relevance", /not an integer: "1.5"/],
      ["1 0 d1 yes\n", 1, "relevance", /not an integer/],
      ["1 0 d1 1\n1 0 d1 0\n", 2, "docid", /duplicate judgment/],
    ];
    for (const [text, line, field, problem] of cases) {
      const path = await tmp.file(`bad-${line}-${field}.qrels`, text);
      const err = await readTrecQrels(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect([(err as InputError).line, (err as InputError).field]).toEqual([line, field]);
      expect((err as InputError).message).toMatch(problem);
      expect((err as InputError).message.startsWith(`${path}:${line}`)).toBe(true);
    }
  });

  it("lenient mode counts skipped lines", () => {
    const { qrels, stats } = parseTrecQrels("1 0 a 1\n1 0 b x\n1 0 a 0\n1 0\n2 0 c 3\n", {
      file: "q",
      lenient: true,
    });
    expect(stats).toEqual({ lines: 5, records: 2, skipped: 3 });
    expect(qrels.get("1")).toEqual(new Map([["a", 1]]));
  });

  it("round-trips through writeTrecQrels", async () => {
    const qrels = new Map([
      [
        "q1",
        new Map([
          ["d1", 3],
          ["d2", 0],
        ]),
      ],
      ["q2", new Map([["d3", -1]])],
    ]);
    const path = `${tmp.dir}/rt.qrels`;
    await writeTrecQrels(path, qrels);
    expect((await readTrecQrels(path)).qrels).toEqual(qrels);
  });
});
