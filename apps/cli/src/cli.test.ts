import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ferret, REPO_ROOT } from "./test-support/ferret-process.js";

const SCIFACT = resolve(REPO_ROOT, "../shared/data/scifact");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-cli-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret data stats", () => {
  // Expected counts: shared/data/README.md and `wc -l` (5,183 docs, 1,109 queries; qrels rows
  // minus header: train 919 rows / 809 queries, test 339 / 300).
  it("prints counts for SciFact as a table", async () => {
    const { code, stdout, stderr } = await ferret(["data", "stats", "../shared/data/scifact"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("../shared/data/scifact: BEIR");
    expect(stdout).toMatch(/^documents\s+5,183\s/m);
    expect(stdout).toMatch(/^queries\s+1,109\s/m);
    expect(stdout).toMatch(/^test\s+339\s+300\s+339\s+300\s+1:339$/m);
    expect(stdout).toMatch(/^train\s+919\s+809\s+919\s+809\s+1:919$/m);
  });

  it("prints parseable JSON with --json", async () => {
    const { code, stdout } = await ferret(["data", "stats", SCIFACT, "--json"]);
    expect(code).toBe(0);
    const stats = JSON.parse(stdout) as {
      format: string;
      documents: number;
      queries: number;
      splits: { name: string; judgments: number; judgedQueries: number }[];
    };
    expect(stats.format).toBe("beir");
    expect([stats.documents, stats.queries]).toEqual([5183, 1109]);
    expect(stats.splits.map((s) => [s.name, s.judgments, s.judgedQueries])).toEqual([
      ["test", 339, 300],
      ["train", 919, 809],
    ]);
  });

  it("reports bad input as `ferret: file:line` and exits 1, without a stack trace", async () => {
    const dir = join(tmp, "broken");
    await mkdir(join(dir, "qrels"), { recursive: true });
    await writeFile(join(dir, "corpus.jsonl"), '{"_id":"d1","text":"fine"}\n{"_id":"d2","text":"broken"\n');
    await writeFile(join(dir, "queries.jsonl"), '{"_id":"q1","text":"x"}\n');
    await writeFile(join(dir, "qrels", "test.tsv"), "query-id\tcorpus-id\tscore\nq1\td1\t1\n");
    const { code, stdout, stderr } = await ferret(["data", "stats", dir]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`^ferret: ${join(dir, "corpus.jsonl")}:2: invalid JSON`));
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr.trim().split("\n")).toHaveLength(1);

    const lenient = await ferret(["data", "stats", dir, "--lenient", "--json"]);
    expect(lenient.code).toBe(0);
    expect(JSON.parse(lenient.stdout)).toMatchObject({ documents: 1, skipped: 1 });
  });

  it("exits 1 for a missing directory and 2 for usage errors", async () => {
    const missing = await ferret(["data", "stats", join(tmp, "absent")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`ferret: collection directory not found: ${join(tmp, "absent")}\n`);

    const noArg = await ferret(["data", "stats"]);
    expect(noArg.code).toBe(2);
    expect(noArg.stderr).toMatch(/^ferret: missing required argument 'dir'/);

    const unknown = await ferret(["data", "stats", SCIFACT, "--bogus"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^ferret: unknown option '--bogus'/);

    const help = await ferret(["data", "stats", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: ferret data stats [options] <dir>");
  });
});
