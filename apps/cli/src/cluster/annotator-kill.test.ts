/**
 * An annotator SIGKILLed mid-stage changes no label and no metric. On real servers (`ferret up`: a
 * nats-server of the test's own, the dev OpenSearch, every service its own `ferret serve` process) plus a
 * second annotator replica, a pipeline whose training positives include SmolLM2's graded relevance labels
 * (the bundled GGUF through node-llama-cpp, greedy) runs by choreography. When the replica running the
 * annotate stage has cached some but not all of its LLM answers (files in the stage's work directory), it
 * is SIGKILLed. The stage's message, unacked, goes after the stage queue's ack wait (15 s here:
 * FERRET_ANNOTATOR_PIPELINE__ACK_WAIT_MS) to the other replica, which reuses the cached answers, asks the
 * LLM for the rest, and the run ends with the labels and metrics of the same spec run embedded, unkilled.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, openSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "@ferret/bus/testing";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { freePort } from "@ferret/service/testing";
import { makeTrainableModel, requireVenv } from "@ferret/trainer/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReportJson } from "../report/index.js";
import { finished, spawnRun } from "../pipeline/test-support/pipeline-run.js";
import { scifactSubset } from "../pipeline/test-support/scifact-subset.js";
import { CLI_DIR, REPO_ROOT, ferret } from "../test-support/ferret-process.js";
import { StateDir } from "./cluster-state.js";
import { GGUF, upArgs } from "./test-support/up-args.js";

// Longer than the event loop is held on a loaded 2-core machine (a SmolLM2 call holds it for seconds there),
// or the message moves on while its replica still lives.
const ACK_WAIT_MS = 15_000;
const ackWaitEnv = { FERRET_ANNOTATOR_PIPELINE__ACK_WAIT_MS: String(ACK_WAIT_MS) };

let root: string;
let data: string;
let stateDir: string;
let natsUrl: string;
/** The two annotator replicas: the one `ferret up` started and one started here. */
let replicas: { name: string; pid: number; log: string }[];
let second: ChildProcess | undefined;

interface Label {
  queryId: string;
  docId: string;
  steps: { cacheKey: string; cached: boolean; createdAt: string; llmCalls: number; usage: unknown }[];
}

async function spec(name: string, output: string, trainable: string): Promise<string> {
  const file = join(root, `${name}.yaml`);
  await writeFile(
    file,
    [
      `name: ${name}`,
      `dataset: { dir: ${data}, train: train, test: test }`,
      "stages:",
      "  annotate:",
      "    task: relevance",
      `    llm: { gguf: ${GGUF}, threads: 1 }`,
      "    candidates: 3",
      "  train:",
      "    job:",
      `      model: ${trainable}`,
      // Human and LLM positives together. minGrade 0: SmolLM2-135M grades nearly every pair 0 here, so with
      // this every pair it judged is a positive, and a lost or doubled label changes the training set.
      "      positives: { human: {}, llm: { labels: " +
        join(output, "stages", "annotate") +
        ", mode: graded, minGrade: 0 } }",
      "      negatives: { bm25: { window: [2, 20], count: 1 } }",
      "      training:",
      "        hyperparameters: { batchSize: 4, epochs: 2, learningRate: 0.001 }",
      "        threads: 1",
      "baselines:",
      "  bm25: {}",
      `  dense: { model: ${FIXTURE_MODELS.biEncoder} }`,
      `output: ${output}`,
      "",
    ].join("\n"),
  );
  return file;
}

/** Every cached LLM answer under the annotate stage's work directory (one file per answer). */
async function cachedAnswers(output: string): Promise<string[]> {
  const dir = join(output, "work", "annotate", "llm-cache");
  if (!existsSync(dir)) return [];
  const files = await readdir(dir, { recursive: true });
  return files.filter((f) => f.endsWith(".json"));
}

const labelsOf = async (output: string): Promise<Label[]> =>
  (await readFile(join(output, "stages", "annotate", "labels.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Label);

/** A label without what only says when and how it was paid for (time, cache hit, tokens). */
const judgment = (l: Label) => ({
  ...l,
  steps: l.steps.map(({ createdAt: _c, cached: _h, llmCalls: _n, usage: _u, ...step }) => step),
});

const readReport = async (dir: string) =>
  JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as ReportJson;

function stageStarts(log: string, run: string): { stage: string; delivery: number }[] {
  const re = new RegExp(`"run":"${run}","stage":"(\\w+)","delivery":(\\d+),"msg":"stage started"`, "g");
  return [...log.matchAll(re)].map((m) => ({ stage: m[1]!, delivery: Number(m[2]) }));
}

/** The replicas that started the run's annotate stage and have not completed it. */
async function runningAnnotate(): Promise<typeof replicas> {
  const running: typeof replicas = [];
  for (const r of replicas) {
    const log = await readFile(r.log, "utf8");
    const started = stageStarts(log, "annkill").some((s) => s.stage === "annotate");
    if (started && !log.includes('"run":"annkill","stage":"annotate","msg":"stage completed"'))
      running.push(r);
  }
  return running;
}

beforeAll(async () => {
  requireVenv();
  root = await mkdtemp(join(tmpdir(), "ferret-annotator-kill-"));
  ({ dir: data } = await scifactSubset({ train: 4, dev: 0, test: 12, extraDocs: 60 }));
  stateDir = join(root, "cluster");
  const up = await upArgs(stateDir);
  natsUrl = up.natsUrl;
  const started = await ferret(["up", ...up.args], { timeoutMs: 240_000, env: ackWaitEnv });
  if (started.code !== 0) throw new Error(`ferret up failed: ${started.stderr}`);
  const state = JSON.parse(await readFile(join(stateDir, "cluster.json"), "utf8")) as {
    services: Record<string, { pid: number; log: string }>;
  };
  const first = state.services.annotator!;
  // The second replica: the same config file, ports of its own.
  const log = join(root, "annotator-2.log");
  const fd = openSync(log, "a");
  second = spawn(process.execPath, [join(CLI_DIR, "dist", "main.js"), "serve", "annotator"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...ackWaitEnv,
      FERRET_ANNOTATOR_CONFIG: new StateDir(stateDir).configFile("annotator"),
      FERRET_ANNOTATOR_GRPC__PORT: String(await freePort()),
      FERRET_ANNOTATOR_METRICS__PORT: String(await freePort()),
    },
    stdio: ["ignore", fd, fd],
    detached: true,
  });
  closeSync(fd);
  replicas = [
    { name: "annotator (ferret up)", pid: first.pid, log: first.log },
    { name: "annotator-2", pid: second.pid!, log },
  ];
  await eventually(120_000, "the second annotator to host its stage", async () => {
    if (second!.exitCode !== null)
      throw new Error(`the second annotator exited: ${await readFile(log, "utf8")}`);
    return (await readFile(log, "utf8")).includes('"msg":"hosting pipeline stages"');
  });
}, 600_000);

afterAll(async () => {
  if (second?.exitCode === null) second.kill("SIGTERM");
  if (stateDir !== undefined)
    await ferret(["down", "--state-dir", stateDir, "--grace", "5"], { timeoutMs: 120_000 });
  if (root !== undefined && !process.env.KEEP) await rm(root, { recursive: true, force: true });
  if (data !== undefined) await rm(data, { recursive: true, force: true });
});

describe("an annotator SIGKILLed mid-stage (ferret run --cluster)", () => {
  it(
    "the other replica takes the stage after the ack wait; labels and metrics equal an embedded run's",
    { timeout: 900_000 },
    async () => {
      const trainable = makeTrainableModel(root);
      const clusterOut = join(root, "run-cluster");
      const run = spawn(
        process.execPath,
        [
          join(CLI_DIR, "dist", "main.js"),
          "run",
          "--cluster",
          natsUrl,
          await spec("annkill-cluster", clusterOut, trainable),
          "--run-id",
          "annkill",
        ],
        { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
      );
      const submitted = finished(run);

      // The kill point: the replica running annotate has stored some LLM answers and the stage is not done.
      let victim: (typeof replicas)[number] | undefined;
      let cachedAtKill: string[] = [];
      await eventually(300_000, "the annotate stage to cache an LLM answer", async () => {
        if (run.exitCode !== null) throw new Error(`the run ended first: ${run.exitCode}`);
        if ((await cachedAnswers(clusterOut)).length === 0) return false;
        const running = await runningAnnotate();
        if (running.length !== 1)
          throw new Error(`answers were cached; annotate was running on ${running.length} replicas`);
        expect(existsSync(join(clusterOut, "stages", "annotate", "stage.json"))).toBe(false);
        victim = running[0]!;
        process.kill(victim.pid, "SIGKILL");
        cachedAtKill = await cachedAnswers(clusterOut);
        return true;
      });
      const killedAt = Date.now();

      const result = await submitted;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.trim().split("\n").at(-1)).toBe(join(clusterOut, "report.html"));

      // The survivor ran annotate once, as the message's second delivery; the victim's log ends mid-stage.
      const survivor = replicas.find((r) => r !== victim)!;
      expect(stageStarts(await readFile(survivor.log, "utf8"), "annkill")).toEqual([
        { stage: "annotate", delivery: 2 },
      ]);
      expect(stageStarts(await readFile(victim!.log, "utf8"), "annkill")).toEqual([
        { stage: "annotate", delivery: 1 },
      ]);
      expect(await readFile(victim!.log, "utf8")).not.toMatch(/"stage":"annotate","msg":"stage completed"/);

      const labels = await labelsOf(clusterOut);
      const cacheFiles = await cachedAnswers(clusterOut);
      // Some, not all, answers were in hand at the kill; none was lost (one per label), none duplicated.
      expect(cachedAtKill.length).toBeGreaterThan(0);
      expect(cachedAtKill.length).toBeLessThan(labels.length);
      expect(cacheFiles.length).toBe(labels.length);
      for (const f of cachedAtKill) expect(cacheFiles).toContain(f);
      const pairs = labels.map((l) => `${l.queryId}\t${l.docId}`);
      expect(new Set(pairs).size).toBe(pairs.length);
      // The survivor reused what the victim had paid for and asked the LLM only for the rest.
      const reused = labels.filter((l) => l.steps.every((s) => s.cached)).length;
      expect(reused).toBeGreaterThanOrEqual(cachedAtKill.length);
      expect(reused).toBeLessThan(labels.length);

      const embeddedOut = join(root, "run-embedded");
      const embedded = await finished(spawnRun(await spec("annkill-embedded", embeddedOut, trainable)));
      expect(embedded.code, embedded.stderr).toBe(0);

      // Labels: the same judgments in the same order (time, cache hits and tokens aside), the same qrels bytes.
      const reference = await labelsOf(embeddedOut);
      expect(reference.every((l) => l.steps.every((s) => !s.cached))).toBe(true);
      expect(labels.map(judgment)).toEqual(reference.map(judgment));
      for (const file of ["qrels.tsv", "qrels.trec"])
        expect(await readFile(join(clusterOut, "stages", "annotate", file), "utf8"), file).toBe(
          await readFile(join(embeddedOut, "stages", "annotate", file), "utf8"),
        );

      // Metrics: every system's means and per-query values, to 4 decimals; the label statistics.
      const cluster = await readReport(clusterOut);
      const local = await readReport(embeddedOut);
      expect(cluster.systems.map((s) => s.name)).toContain("trained");
      expect(cluster.systems.map((s) => s.name)).toEqual(local.systems.map((s) => s.name));
      const fixed = (r: ReportJson) =>
        r.systems.map((s) => ({
          name: s.name,
          mean: Object.fromEntries(Object.entries(s.mean).map(([m, v]) => [m, v.toFixed(4)])),
          perQuery: Object.fromEntries(
            Object.entries(s.perQuery).map(([q, ms]) => [
              q,
              Object.fromEntries(Object.entries(ms).map(([m, v]) => [m, v.toFixed(4)])),
            ]),
          ),
        }));
      expect(fixed(cluster)).toEqual(fixed(local));
      const { costUsd: _c, tokens: _t, ...clusterLabels } = cluster.labels!;
      const { costUsd: _lc, tokens: _lt, ...localLabels } = local.labels!;
      expect(clusterLabels).toEqual(localLabels);
      expect(clusterLabels.count).toBe(labels.length);
      console.log(
        `annotator kill: ${cachedAtKill.length} of ${labels.length} answers cached at the kill, ${reused} reused; run ended ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
      );
    },
  );
});
