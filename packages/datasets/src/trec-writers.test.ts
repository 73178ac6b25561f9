import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeTrecRun } from "./trec-writers.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("writeTrecRun scoreDecimals", () => {
  it("writes fixed decimals as Anserini's %f does, ranked on the numbers", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ferret-writers-"));
    dirs.push(dir);
    const path = join(dir, "run.trec");
    const f = Math.fround;
    const run = new Map([
      [
        "q",
        new Map([
          ["a", f(2.5)],
          ["b", f(f(2.5) - f(1e-6))],
          ["c", f(6.5988)],
        ]),
      ],
    ]);
    await writeTrecRun(path, run, { tag: "t", scoreDecimals: 6 });
    expect((await readFile(path, "utf8")).trim().split("\n")).toEqual([
      "q Q0 c 1 6.598800 t",
      "q Q0 a 2 2.500000 t",
      "q Q0 b 3 2.499999 t",
    ]);
    await expect(writeTrecRun(path, run, { tag: "t", scoreDecimals: 1.5 })).rejects.toThrow(/scoreDecimals/);
  });
});
