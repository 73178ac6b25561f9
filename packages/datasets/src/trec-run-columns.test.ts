import { describe, expect, it } from "vitest";
import { InputError } from "@ferret/errors";
import { parseTrecRunColumns, trecRunColumnsToMap } from "./trec-run-columns.js";

describe("parseTrecRunColumns", () => {
  it("reads every decimal score as the same double as Number() (fast path and fallback)", () => {
    const texts: string[] = ["0", "-0", "+1.5", "7.", ".25", "-.5", "1e-3", "1E+2", "-2.5e0", "0.000001"];
    // 20,000 deterministic digit strings of 1 to 19 digits (past the 15-digit fast path), dot anywhere.
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + (i % 19);
      let s = ((BigInt(i + 1) * 0x9e3779b97f4a7c15n) % 10n ** 19n)
        .toString()
        .padStart(19, "0")
        .slice(0, digits);
      const dot = (i * 7) % (digits + 1);
      s = `${s.slice(0, dot)}.${s.slice(dot)}`;
      if (i % 3 === 0) s = `-${s}`;
      texts.push(s);
    }
    const text = texts.map((s, i) => `q Q0 d${i} ${i + 1} ${s} t\n`).join("");
    const { columns } = parseTrecRunColumns(text, { file: "scores.run" });
    texts.forEach((s, i) => expect(Object.is(columns.scores[i], Number(s)), s).toBe(true));
  });

  it("groups a query's lines that are not contiguous, keeping file order within each query", () => {
    const text = "b Q0 x 1 3 t\na Q0 y 1 2 t\nb Q0 z 2 1 t\na Q0 w 2 0 t\n";
    const { columns, stats } = parseTrecRunColumns(text, { file: "mixed.run" });
    expect(columns.qids).toEqual(["b", "a"]);
    expect([...columns.queryStart]).toEqual([0, 2, 4]);
    expect([...columns.scores]).toEqual([3, 1, 2, 0]);
    expect(stats).toEqual({ lines: 4, records: 4, skipped: 0 });
    expect(trecRunColumnsToMap(columns)).toEqual(
      new Map([
        [
          "b",
          new Map([
            ["x", 3],
            ["z", 1],
          ]),
        ],
        [
          "a",
          new Map([
            ["y", 2],
            ["w", 0],
          ]),
        ],
      ]),
    );
  });

  it("reports the earliest repeated line of a duplicate, also across non-contiguous lines", () => {
    const text = "a Q0 x 1 3 t\nb Q0 y 1 2 t\nb Q0 y 2 1 t\na Q0 x 2 0 t\n";
    const err = (() => {
      try {
        parseTrecRunColumns(text, { file: "dup.run" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).line).toBe(3);
    expect((err as InputError).field).toBe("docid");
    expect((err as InputError).message).toMatch(/duplicate document "y" for query "b"/);
    const lenient = parseTrecRunColumns(text, { file: "dup.run", lenient: true });
    expect(lenient.stats).toEqual({ lines: 4, records: 2, skipped: 2 });
    expect([...lenient.columns.scores]).toEqual([3, 2]);
  });

  it("takes docids and qids as UTF-8 bytes, a BOM off the first line, CR as whitespace", () => {
    const text = "\ufeffq\u00e9 Q0 \u00e9t\u00e9 1 1 tag\r\nq\u00e9 Q0 ete 2 0.5 tag\r\n";
    const { columns, name } = parseTrecRunColumns(new TextEncoder().encode(text), { file: "utf8.run" });
    expect(name).toBe("tag");
    expect(trecRunColumnsToMap(columns)).toEqual(
      new Map([
        [
          "q\u00e9",
          new Map([
            ["\u00e9t\u00e9", 1],
            ["ete", 0.5],
          ]),
        ],
      ]),
    );
  });
});
