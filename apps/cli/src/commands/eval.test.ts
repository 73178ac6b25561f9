/**
 * `ferret eval` and `ferret fuse`, run as the BUILT cli (dist/main.js) in a child process. Expected output
 * comes from the references: the real trec_eval 10.0 binary's lines and pytrec_eval's values
 * (services/evaluator/fixtures/trec_eval), ranx.compare p-values (services/evaluator/fixtures/service) and
 * ranx.fuse runs (packages/fusion/fixtures).
 */
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ferret, REPO_ROOT } from "../test-support/ferret-process.js";

// Each test starts the CLI once or twice (node start-up, reading a run); on a shared, loaded machine that
// can take longer than vitest's default 5 s.
vi.setConfig({ testTimeout: 60_000 });

const TREC_EVAL = join(REPO_ROOT, "services/evaluator/fixtures/trec_eval");

type RunDict = Record<string, Record<string, number>>;

function fixtureText(relative: string): string {
  const bytes = readFileSync(join(TREC_EVAL, relative));
  return (relative.endsWith(".br") ? brotliDecompressSync(bytes) : bytes).toString("utf8");
}

/** Full-precision values (pytrec_eval, trec_eval 9.0.8's measure code) for JSON output checks. */
function pytrecValues(config: string) {
  return JSON.parse(fixtureText(`pytrec/${config}.json.br`)) as {
    mean: Record<string, number>;
    perQuery: Record<string, Record<string, number>>;
  };
}

interface FixtureConfig {
  config: string;
  qrels: string;
  run: string;
  options: string[];
  measures: string[];
  expected: string;
}

function fixtureConfig(config: string): FixtureConfig {
  const manifest = JSON.parse(fixtureText("manifest.json")) as { configs: FixtureConfig[] };
  const found = manifest.configs.find((c) => c.config === config);
  if (found === undefined) throw new Error(`no fixture config ${config}`);
  return found;
}

/** trec_eval 10.0's output lines (trec_eval -q <options>) for the given measures (all but num_q if none). */
function trecEvalLines(config: string, measures?: string[]): string[] {
  const wanted = measures === undefined ? undefined : new Set(measures);
  return fixtureText(fixtureConfig(config).expected)
    .trimEnd()
    .split("\n")
    .filter((line) => {
      const name = line.split(/\s+/)[0] as string;
      return wanted === undefined ? name !== "num_q" : wanted.has(name);
    });
}

/** trec_eval's printed mean of a measure ("all" line). */
function trecEvalMean(config: string, measure: string): string | undefined {
  const line = trecEvalLines(config, [measure]).find((l) => l.split("\t")[1] === "all");
  return line?.split("\t")[2]?.trim();
}

function trecEvalNumQ(config: string): string | undefined {
  return trecEvalLines(config, ["num_q"])[0]?.split("\t")[2];
}

function trecRunText(dict: RunDict, tag: string): string {
  const lines: string[] = [];
  for (const [qid, docs] of Object.entries(dict)) {
    Object.entries(docs).forEach(([doc, score], i) =>
      lines.push(`${qid} Q0 ${doc} ${i + 1} ${score} ${tag}`),
    );
  }
  return `${lines.join("\n")}\n`;
}

let tmp: string;
const file = (name: string) => join(tmp, name);

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "ferret-cli-eval-"));
  for (const name of ["cranfield-tfidf", "scifact-missing", "scifact-short", "scifact-random"]) {
    await writeFile(file(`${name}.run`), fixtureText(`runs/${name}.run.br`));
  }
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("ferret eval --trec", () => {
  it("prints trec_eval -q -c's lines for a run that misses queries", async () => {
    const measures = ["map", "ndcg_cut_10", "P_10", "recall_100", "bpref"];
    const { code, stdout, stderr } = await ferret([
      "eval",
      "--qrels",
      join(TREC_EVAL, "qrels/scifact-test.qrels"),
      file("scifact-missing.run"),
      "--trec",
      "--per-query",
      "-c",
      ...measures.flatMap((m) => ["-m", m]),
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    // trec_eval 10.0 prints a line per measure for each qrels query the run lacks (zeros under -c).
    expect(stdout.trimEnd().split("\n")).toEqual(trecEvalLines("scifact-missing.c", measures));
    const printed = new Set(trecEvalLines("scifact-missing.c", ["map"]).map((l) => l.split("\t")[1]));
    expect(printed.size).toBe(Number(trecEvalNumQ("scifact-missing.c")) + 1); // every qrels query and "all"
  });

  it("prints trec_eval -q -c -l 2 -J -M 7's lines for every measure on the edge-case run", async () => {
    const c = fixtureConfig("edge-ties.c.l2.J.M7");
    const { code, stdout, stderr } = await ferret([
      "eval",
      "--qrels",
      join(TREC_EVAL, c.qrels),
      join(TREC_EVAL, c.run),
      "--trec",
      "-q",
      ...c.options,
      ...c.measures.flatMap((m) => ["-m", m]),
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n")).toEqual(trecEvalLines(c.config));
  });

  it("prints trec_eval -q -l 2's lines on graded qrels", async () => {
    const measures = ["map", "Rprec", "recip_rank", "P_5", "recall_1000", "ndcg", "ndcg_cut_10"];
    const { code, stdout } = await ferret([
      "eval",
      "--qrels",
      join(TREC_EVAL, "qrels/cranfield-graded.qrels"),
      file("cranfield-tfidf.run"),
      "--trec",
      "-q",
      "-l",
      "2",
      "-m",
      "map",
      "-m",
      "Rprec",
      "-m",
      "recip_rank",
      "-m",
      "P.5",
      "-m",
      "recall.1000",
      "-m",
      "ndcg",
      "-m",
      "ndcg_cut.10",
    ]);
    expect(code).toBe(0);
    // The run answers every qrels query, so trec_eval's -c lines are its lines without -c too.
    expect(stdout.trimEnd().split("\n")).toEqual(trecEvalLines("cranfield-tfidf.c.l2", measures));
  });
});

describe("ferret eval", () => {
  it("prints a runs × measures table with trec_eval's means, from TREC or BEIR qrels alike", async () => {
    const qrelsText = fixtureText("qrels/scifact-test.qrels");
    const beir = [
      "query-id\tcorpus-id\tscore",
      ...qrelsText
        .trim()
        .split("\n")
        .map((l) => {
          const [q, , d, r] = l.split(/\s+/);
          return `${q}\t${d}\t${r}`;
        }),
    ].join("\n");
    await writeFile(file("test.tsv"), `${beir}\n`);
    const args = [file("scifact-short.run"), file("scifact-random.run"), "-m", "ndcg@10", "-m", "map"];
    const trec = await ferret(["eval", "--qrels", join(TREC_EVAL, "qrels/scifact-test.qrels"), ...args]);
    const fromBeir = await ferret(["eval", "--qrels", file("test.tsv"), ...args]);
    expect(trec.code).toBe(0);
    expect(fromBeir.stdout).toBe(trec.stdout);
    const lines = trec.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^run\s+queries\s+ndcg_cut_10\s+map$/);
    for (const [i, name] of [
      [1, "scifact-short"],
      [2, "scifact-random"],
    ] as const) {
      const config = `${name}.c`; // both runs answer every qrels query: -c changes nothing
      expect(lines[i]?.split(/\s+/)).toEqual([
        name,
        trecEvalNumQ(config),
        trecEvalMean(config, "ndcg_cut_10"),
        trecEvalMean(config, "map"),
      ]);
    }
  });

  it("prints JSON with the exact means and, with --per-query, per-query values", async () => {
    const { code, stdout } = await ferret([
      "eval",
      "--qrels",
      join(TREC_EVAL, "qrels/cranfield-graded.qrels"),
      file("cranfield-tfidf.run"),
      "-m",
      "ndcg_cut.10",
      "-m",
      "recall.100",
      "--json",
      "--per-query",
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      runs: {
        name: string;
        mean: Record<string, number>;
        perQuery: Record<string, Record<string, number>>;
      }[];
    };
    const expected = pytrecValues("cranfield-tfidf.l1");
    expect(json.runs.map((r) => r.name)).toEqual(["cranfield-tfidf"]);
    for (const m of ["ndcg_cut_10", "recall_100"]) {
      expect(json.runs[0]?.mean[m]).toBeCloseTo(expected.mean[m] as number, 9);
      for (const [qid, values] of Object.entries(expected.perQuery)) {
        expect(Math.abs((json.runs[0]?.perQuery[qid]?.[m] ?? NaN) - (values[m] as number))).toBeLessThan(
          1e-9,
        );
      }
    }
  });

  it("--compare gives ranx.compare's paired t-test p-values, Holm-adjusted as statsmodels", async () => {
    const fixture = JSON.parse(
      gunzipSync(
        readFileSync(join(REPO_ROOT, "services/evaluator/fixtures/service/compare-ranx.json.gz")),
      ).toString(),
    ) as {
      systems: string[];
      measures: string[];
      qrels: RunDict;
      runs: Record<string, RunDict>;
      student: { treatment: string; measure: string; pValue: number; holmPValue: number }[];
    };
    const qrels = Object.entries(fixture.qrels).flatMap(([q, docs]) =>
      Object.entries(docs).map(([d, r]) => `${q} 0 ${d} ${r}`),
    );
    await writeFile(file("compare.qrels"), `${qrels.join("\n")}\n`);
    for (const name of fixture.systems)
      await writeFile(file(`${name}.trec`), trecRunText(fixture.runs[name] ?? {}, name));
    const { code, stdout, stderr } = await ferret([
      "eval",
      "--qrels",
      file("compare.qrels"),
      ...fixture.systems.map((s) => file(`${s}.trec`)),
      ...fixture.measures.flatMap((m) => ["-m", m]),
      "--compare",
      "--test",
      "t",
      "--holm",
      "--json",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const json = JSON.parse(stdout) as {
      baseline: string;
      systems: {
        name: string;
        measures: Record<string, { pValue: number | null; adjustedPValue: number | null }>;
      }[];
    };
    expect(json.baseline).toBe("bm25");
    const names: Record<string, string> = {
      "ndcg@10": "ndcg_cut_10",
      "map@100": "map_cut_100",
      "recall@100": "recall_100",
      "mrr@10": "mrr_cut_10",
    };
    for (const ref of fixture.student) {
      const cell = json.systems.find((s) => s.name === ref.treatment)?.measures[names[ref.measure] as string];
      expect(Math.abs((cell?.pValue ?? NaN) - ref.pValue)).toBeLessThan(1e-8);
      expect(Math.abs((cell?.adjustedPValue ?? NaN) - ref.holmPValue)).toBeLessThan(1e-8);
    }
  });

  it("reports a malformed run line as `ferret: file:line (field)` and exits 1", async () => {
    await writeFile(file("bad.run"), "1 Q0 d1 1 0.5 t\n1 Q0 d2 2 0.4x t\n");
    const { code, stdout, stderr } = await ferret([
      "eval",
      "--qrels",
      join(TREC_EVAL, "qrels/scifact-test.qrels"),
      file("bad.run"),
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe(`ferret: ${file("bad.run")}:2 (field "score"): not a number: "0.4x"\n`);
  });

  it("rejects an unknown measure with exit 1", async () => {
    const { code, stderr } = await ferret([
      "eval",
      "--qrels",
      join(TREC_EVAL, "qrels/scifact-test.qrels"),
      file("scifact-short.run"),
      "-m",
      "ndcg@ten",
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^ferret: measure "ndcg@ten": cutoff "ten" is not a positive integer/);
  });
});

describe("ferret fuse", () => {
  const fusion = JSON.parse(
    gunzipSync(readFileSync(join(REPO_ROOT, "packages/fusion/fixtures/ranx-fusion.json.gz"))).toString(),
  ) as {
    inputs: Record<string, RunDict>;
    fused: {
      inputs: string;
      norm: string | null;
      method: string;
      params: { weights?: number[]; k?: number };
      run: RunDict;
    }[];
  };

  async function fusedFile(path: string): Promise<RunDict> {
    const out: RunDict = {};
    for (const line of (await readFile(path, "utf8")).trim().split("\n")) {
      const [qid, , doc, , score] = line.split(" ") as [string, string, string, string, string];
      (out[qid] ??= {})[doc] = Number(score);
    }
    return out;
  }

  it.each([
    ["wsum", "min-max", ["--weights", "0.3,0.7"]],
    ["rrf", "min-max", []],
    ["combmnz", "max", []],
  ])("writes ranx.fuse's %s (%s) run", async (method, norm, extra) => {
    await writeFile(file("bm25.trec"), trecRunText(fusion.inputs["bm25"] ?? {}, "bm25"));
    await writeFile(file("char4.trec"), trecRunText(fusion.inputs["char4"] ?? {}, "char4"));
    const ranxMethod = { wsum: "wsum", rrf: "rrf", combmnz: "mnz" }[method];
    const entry = fusion.fused.find(
      (f) => f.inputs === "bm25+char4" && f.norm === norm && f.method === ranxMethod,
    );
    const out = file(`fused-${method}.trec`);
    const { code, stdout, stderr } = await ferret([
      "fuse",
      "--method",
      method,
      "--norm",
      norm,
      ...extra,
      file("bm25.trec"),
      file("char4.trec"),
      "--out",
      out,
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(
      new RegExp(`^fused 2 runs \\(${method}, .*\\): 40 queries, [\\d,]+ lines -> ${out}\\n$`),
    );
    const fused = await fusedFile(out);
    const bad: string[] = [];
    for (const [qid, docs] of Object.entries(entry?.run ?? {})) {
      if (Object.keys(fused[qid] ?? {}).length !== Object.keys(docs).length) bad.push(`${qid}: size`);
      for (const [doc, score] of Object.entries(docs)) {
        const ours = fused[qid]?.[doc];
        if (ours === undefined || Math.abs(ours - score) > 1e-9 * Math.max(1, Math.abs(score)))
          bad.push(`${qid}/${doc}: ${ours} vs ${score}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it("refuses an unknown method with exit 1", async () => {
    const { code, stderr } = await ferret([
      "fuse",
      "--method",
      "borda",
      file("scifact-short.run"),
      file("scifact-random.run"),
      "--out",
      file("x.trec"),
    ]);
    expect(code).toBe(1);
    expect(stderr).toBe('ferret: unknown fusion method "borda" (one of wsum, combsum, combmnz, rrf)\n');
  });
});

describe("ferret eval --help", () => {
  it("names the evaluator's default measures", async () => {
    const { DEFAULT_MEASURES } = await import("@ferret/evaluator");
    const { HELP_DEFAULT_MEASURES } = await import("./eval.js");
    expect(HELP_DEFAULT_MEASURES).toBe(DEFAULT_MEASURES.join(", "));
  });
});
