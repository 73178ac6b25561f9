/**
 * `ferret run` in embedded mode on a SciFact subset with the real services in one process (BM25, the
 * encoder's index job, the trainer's job worker with the real PyTorch engine, the ranker), as the BUILT
 * CLI in a child process. The report's metrics are checked against trec_eval (pytrec_eval) on the run
 * files the evaluate stage wrote; a rerun does no work; a run SIGKILLed mid-training (with its engine)
 * resumes on the next run and ends with the same metrics as an uninterrupted run.
 */
import { readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mkdtemp } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportJson } from "../report/index.js";
import type { SystemsFile } from "./stage-evaluate.js";
import {
  finished,
  pipelineFixture,
  pytrecMeans,
  spawnRun,
  writePipelineSpec,
  type PipelineFixture,
} from "./test-support/pipeline-run.js";

const MEASURES = {
  ndcg_cut_10: "ndcg_cut.10",
  recall_100: "recall.100",
  map: "map",
  recip_rank: "recip_rank",
};

let root: string;
let fixture: PipelineFixture;
let output: string;
let first: Awaited<ReturnType<typeof finished>>;

async function readReport(dir: string): Promise<ReportJson> {
  return JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as ReportJson;
}

const means = (r: ReportJson) => Object.fromEntries(r.systems.map((s) => [s.name, s.mean]));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ferret-run-embedded-"));
  fixture = await pipelineFixture(root);
  output = join(root, "run");
  first = await finished(spawnRun(await writePipelineSpec(fixture, "scifact-mini", output)));
}, 600_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(fixture.data, { recursive: true, force: true });
});

describe("ferret run (embedded)", () => {
  it("runs every stage and ends with the path of report.html", async () => {
    expect(first.stderr).not.toMatch(/failed/);
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split("\n");
    for (const stage of ["ingest", "assemble", "train", "evaluate", "report"])
      expect(lines.some((l) => l.startsWith(stage) && l.includes("done in"))).toBe(true);
    expect(lines.at(-1)).toBe(join(output, "report.html"));
    await stat(join(output, "report.html"));
    // The progress view (not a terminal: a line per stage event) went to stderr.
    expect(first.stderr).toMatch(/^train +started$/m);
  });

  it("reports metrics equal to trec_eval's on the run files it wrote", async () => {
    const report = await readReport(output);
    const evaluated = join(output, "stages", "evaluate");
    const systems = JSON.parse(await readFile(join(evaluated, "systems.json"), "utf8")) as SystemsFile;
    expect(systems.systems.map((s) => s.id)).toEqual([
      "bm25",
      "base",
      "base-hybrid",
      "trained",
      "trained-hybrid",
      "bm25-rerank",
    ]);
    expect(report.systems.map((s) => s.name)).toEqual(systems.systems.map((s) => s.name));
    const qrels = join(fixture.data, "qrels", "test.tsv");
    for (const [i, system] of systems.systems.entries()) {
      const reference = pytrecMeans(qrels, join(evaluated, system.run), Object.values(MEASURES));
      for (const key of Object.keys(MEASURES))
        expect(report.systems[i]!.mean[key], `${system.id} ${key}`).toBeCloseTo(reference[key]!, 10);
    }
    // BM25 finds something on SciFact claims; the trained tiny model is a real (if weak) retriever.
    expect(report.systems[0]!.mean.ndcg_cut_10).toBeGreaterThan(0.3);
    expect(report.training?.loss.length).toBeGreaterThan(0);
    expect(report.dataset.queries).toBe(30);
  });

  it("picks the hybrid α on dev, never on test: the best of its sweep there", async () => {
    const systems = JSON.parse(
      await readFile(join(output, "stages", "evaluate", "systems.json"), "utf8"),
    ) as SystemsFile;
    expect(systems.tuning.map((t) => t.system)).toEqual(["base-hybrid", "trained-hybrid"]);
    for (const t of systems.tuning) {
      expect(t.split).toBe("dev");
      expect(t.sweep.map((s) => s.alpha)).toEqual([0, 0.25, 0.5, 0.75, 1]);
      const best = Math.max(...t.sweep.map((s) => s.value));
      expect(t.sweep.find((s) => s.alpha === t.alpha)!.value).toBe(best);
      // The value at α = 1 is the dense run alone on dev; at 0, BM25 alone: both are real measures.
      expect(t.sweep.every((s) => s.value >= 0 && s.value <= 1)).toBe(true);
    }
  });

  it("does no work on a rerun: every stage is skipped and nothing is rewritten", async () => {
    const before = (await stat(join(output, "report.json"))).mtimeMs;
    const spec = join(root, "scifact-mini.yaml");
    const again = await finished(spawnRun(spec));
    expect(again.code).toBe(0);
    const lines = again.stdout.trim().split("\n");
    expect(lines.slice(0, -1).every((l) => l.includes("skipped (finished earlier)"))).toBe(true);
    expect(lines).toHaveLength(6);
    expect(again.stderr).not.toMatch(/started/);
    expect((await stat(join(output, "report.json"))).mtimeMs).toBe(before);
  }, 300_000);

  it("resumes a run SIGKILLed mid-training and ends with the same metrics", async () => {
    const out = join(root, "killed");
    const spec = await writePipelineSpec(fixture, "scifact-mini", out);
    const child = spawnRun(spec);
    const ended = finished(child);
    // Kill once the engine has logged some steps (training.jsonl grows with them), before it finishes.
    const events = join(out, "work", "train", "training.jsonl");
    for (;;) {
      const text = await readFile(events, "utf8").catch(() => "");
      if (text.split("\n").length > 20) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    process.kill(-child.pid!, "SIGKILL");
    const killed = await ended;
    expect(killed.signal).toBe("SIGKILL");
    // Killed mid-train: the earlier stages are there, no train output is.
    const stages = await readdir(join(out, "stages"));
    expect(stages).toContain("assemble");
    expect(stages).not.toContain("train");

    const resumed = await finished(spawnRun(spec));
    expect(resumed.code).toBe(0);
    const lines = resumed.stdout.trim().split("\n");
    expect(lines.find((l) => l.startsWith("assemble"))).toMatch(/skipped/);
    expect(lines.find((l) => l.startsWith("train"))).toMatch(/done in/);
    expect(means(await readReport(out))).toEqual(means(await readReport(output)));
  }, 600_000);
});
