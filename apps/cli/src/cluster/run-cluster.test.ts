/**
 * `ferret run --cluster` end to end on real servers: `ferret up` starts a nats-server of its own and every
 * service as its own `ferret serve` process (OpenSearch: the dev one), and a SciFact subset's pipeline
 * (BM25, the base dense model, hybrid tuned on dev, reranking, training with the real PyTorch engine) runs
 * by choreography: each stage in the service process that hosts it. The run ends with a report whose metrics
 * equal those of the same spec run embedded, to 4 decimals. The submitter, interrupted with SIGINT, detaches
 * without cancelling; --attach follows the run; a second run of the same spec does no work.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportJson } from "../report/index.js";
import {
  finished,
  pipelineFixture,
  spawnRun,
  writePipelineSpec,
  type PipelineFixture,
} from "../pipeline/test-support/pipeline-run.js";
import { CLI_DIR, REPO_ROOT, ferret } from "../test-support/ferret-process.js";
import { upArgs } from "./test-support/up-args.js";

let root: string;
let fixture: PipelineFixture;
let stateDir: string;
let natsUrl: string;
let clusterOut: string;
let clusterSpec: string;
let logs: Record<string, string>;

const readReport = async (dir: string) =>
  JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as ReportJson;
const means = (r: ReportJson) => Object.fromEntries(r.systems.map((s) => [s.name, s.mean]));

function runCluster(args: string[]) {
  return spawn(process.execPath, [join(CLI_DIR, "dist", "main.js"), "run", "--cluster", natsUrl, ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ferret-run-cluster-"));
  fixture = await pipelineFixture(root);
  stateDir = join(root, "cluster");
  const up = await upArgs(stateDir);
  natsUrl = up.natsUrl;
  const started = await ferret(["up", ...up.args], { timeoutMs: 240_000 });
  if (started.code !== 0) throw new Error(`ferret up failed: ${started.stderr}`);
  const state = JSON.parse(await readFile(join(stateDir, "cluster.json"), "utf8")) as {
    services: Record<string, { log: string }>;
  };
  logs = Object.fromEntries(Object.entries(state.services).map(([n, s]) => [n, s.log]));
  clusterOut = join(root, "run-cluster");
  clusterSpec = await writePipelineSpec(fixture, "scifact-cluster", clusterOut);
}, 600_000);

afterAll(async () => {
  if (stateDir !== undefined)
    await ferret(["down", "--state-dir", stateDir, "--grace", "5"], { timeoutMs: 120_000 });
  if (root !== undefined) await rm(root, { recursive: true, force: true });
  if (fixture !== undefined) await rm(fixture.data, { recursive: true, force: true });
});

describe("ferret run --cluster", () => {
  let report: ReportJson;

  it(
    "runs every stage in the service that hosts it; Ctrl-C detaches the submitter without cancelling, --attach follows the run to report.html",
    { timeout: 900_000 },
    async () => {
      const child = runCluster([clusterSpec, "--run-id", "scifact-e2e"]);
      const submitted = finished(child);
      await new Promise<void>((resolve) => {
        let out = "";
        child.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("Ctrl-C detaches")) resolve();
        });
      });
      child.kill("SIGINT");
      const detached = await submitted;
      expect(detached.code, detached.stderr).toBe(0);
      expect(detached.stdout).toMatch(new RegExp(`^run scifact-e2e submitted to ${natsUrl}\n`));
      expect(detached.stdout).toContain("detached from run scifact-e2e (it goes on)");

      const run = await finished(runCluster(["--attach", "scifact-e2e"]));
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.trim().split("\n");
      for (const stage of ["ingest", "assemble", "train", "evaluate", "report"])
        expect(
          lines.some((l) => l.startsWith(stage) && l.includes("done in")),
          stage,
        ).toBe(true);
      expect(lines.at(-1)).toBe(join(clusterOut, "report.html"));
      await stat(join(clusterOut, "report.html"));
      // Each stage ran in its host's process (its log), not in the submitter, once.
      const hosted: Record<string, string[]> = {
        encoder: ["ingest"],
        trainer: ["assemble", "train"],
        evaluator: ["evaluate", "report"],
      };
      for (const [service, stages] of Object.entries(hosted)) {
        const log = await readFile(logs[service]!, "utf8");
        for (const stage of stages)
          expect(log, `${service} ran ${stage}`).toMatch(
            new RegExp(`"run":"scifact-e2e","stage":"${stage}","delivery":1,"msg":"stage started"`),
          );
      }
      report = await readReport(clusterOut);
      expect(report.systems.map((s) => s.name)).toContain("trained");
    },
  );

  it(
    "gives the metrics of the same spec and seed run embedded, to 4 decimals",
    { timeout: 900_000 },
    async () => {
      const embeddedOut = join(root, "run-embedded");
      const embedded = await finished(
        spawnRun(await writePipelineSpec(fixture, "scifact-embedded", embeddedOut)),
      );
      expect(embedded.code, embedded.stderr).toBe(0);
      const cluster = means(report);
      const local = means(await readReport(embeddedOut));
      expect(Object.keys(cluster)).toEqual(Object.keys(local));
      for (const [system, values] of Object.entries(local))
        for (const [measure, value] of Object.entries(values))
          expect(cluster[system]![measure]!.toFixed(4), `${system} ${measure}`).toBe(value.toFixed(4));
    },
  );

  it(
    "a second run of the same spec finds every stage's output under its key and does no work",
    { timeout: 300_000 },
    async () => {
      const again = await finished(runCluster([clusterSpec, "--run-id", "scifact-again"]));
      expect(again.code, again.stderr).toBe(0);
      const lines = again.stdout.trim().split("\n");
      for (const stage of ["ingest", "assemble", "train", "evaluate", "report"])
        expect(
          lines.find((l) => l.startsWith(stage)),
          stage,
        ).toMatch(/skipped \(finished earlier\)/);
      expect(lines.at(-1)).toBe(join(clusterOut, "report.html"));
    },
  );
});
