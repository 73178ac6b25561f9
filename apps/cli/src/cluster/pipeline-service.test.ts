/**
 * The pipeline API (ferret.v1.Pipeline) over real gRPC on loopback, on the dev nats-server (a prefix and an
 * events stream of this test's own), on the SciFact subset the embedded and cluster run tests use (BM25, the
 * base dense model, hybrid tuned on dev, reranking, training with the real PyTorch engine). The stage hosts
 * are this process's reactors with the stage runner `ferret serve` hosts use (pipeline-stage-runner.ts). A
 * manual run is driven stage by stage: a stage asked for before what it needs fails FAILED_PRECONDITION
 * naming it, nothing chains by itself, the run ends with the metrics of the same spec run embedded (to 4
 * decimals), a finished stage asked for again does nothing, and an automatic run of the same spec finds
 * every stage's output under its key. A run cancelled mid-training (`ferret cancel`, CancelRun) stops its
 * engine and starts no later stage.
 */
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { status as Status } from "@grpc/grpc-js";
import { createBus, type Bus } from "@ferret/bus";
import { FailedPreconditionError, type FerretError } from "@ferret/errors";
import { createClient, startGrpcServer, type GrpcServer, type ServiceClient } from "@ferret/grpc";
import { silentLogger } from "@ferret/logging";
import { JobState, PipelineRunState, PipelineService, type PipelineRunStatus } from "@ferret/proto";
import { REAL_ENGINE_DIR, VENV_PYTHON } from "@ferret/trainer/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPipelineSpec, runEmbedded, type StageEnvironment } from "../pipeline/index.js";
import {
  pipelineFixture,
  writePipelineSpec,
  type PipelineFixture,
} from "../pipeline/test-support/pipeline-run.js";
import type { ReportJson } from "../report/index.js";
import { ferret } from "../test-support/ferret-process.js";
import { openPipelineStores, pipelineNames, type PipelineStores } from "./pipeline-run.js";
import { createPipelineService } from "./pipeline-service.js";
import { pipelineStageRunner } from "./pipeline-stage-runner.js";
import { stageQueueOptions, startStageReactors, type StageReactors } from "./stage-reactors.js";
import { destroyPipelineState } from "./test-support/pipeline-state.js";

const url = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const runTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const prefix = `plapi-${runTag}`;
const events = { stream: `FERRET_TEST_EVENTS_${runTag}`, prefix: `ferret.test.${runTag}` };
const ORDER = ["ingest", "assemble", "train", "evaluate", "report"];

const env: StageEnvironment = {
  python: VENV_PYTHON,
  engineDir: REAL_ENGINE_DIR,
  versions: { ferret: "test" },
  log: silentLogger(),
};

let root: string;
let fixture: PipelineFixture;
let bus: Bus;
let stores: PipelineStores;
let reactors: StageReactors;
let server: GrpcServer;
let client: ServiceClient<typeof PipelineService>;
let output: string;
let specFile: string;

const readReport = async (dir: string) =>
  JSON.parse(await readFile(join(dir, "report.json"), "utf8")) as ReportJson;
const means = (r: ReportJson) => Object.fromEntries(r.systems.map((s) => [s.name, s.mean]));
const jobStates = (run: PipelineRunStatus) =>
  Object.fromEntries(run.stages.map((s) => [s.name, s.job?.state]));

async function failure(call: Promise<unknown>): Promise<FerretError & { cause: { code: number } }> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (error === undefined) throw new Error("the call succeeded");
  return error as FerretError & { cause: { code: number } };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ferret-pipeline-api-"));
  fixture = await pipelineFixture(root);
  output = join(root, "run-manual");
  specFile = await writePipelineSpec(fixture, "scifact-manual", output);
  bus = await createBus({ kind: "nats", url, name: "pipeline-api-test", events });
  stores = await openPipelineStores(bus, pipelineNames(prefix));
  const queueOptions = stageQueueOptions({ ackWaitMs: 30_000 });
  reactors = await startStageReactors({
    bus,
    stores,
    stages: ORDER,
    runStage: pipelineStageRunner(env),
    ...queueOptions,
    progressMs: 0,
  });
  server = await startGrpcServer({
    host: "127.0.0.1",
    services: [createPipelineService({ bus, stores, queueOptions })],
  });
  client = createClient(PipelineService, `127.0.0.1:${server.port}`, { deadlineMs: 300_000 });
}, 300_000);

afterAll(async () => {
  client?.close();
  await server?.shutdown();
  await reactors?.stop({ graceMs: 1000 });
  if (bus !== undefined) {
    await destroyPipelineState(bus, { url, prefix, stages: ORDER, eventsStream: events.stream });
    await bus.close({ graceMs: 500 });
  }
  if (root !== undefined) await rm(root, { recursive: true, force: true });
  if (fixture !== undefined) await rm(fixture.data, { recursive: true, force: true });
});

describe("the pipeline API (gRPC)", () => {
  it("submits a manual run whose stages wait; a stage asked for before what it needs fails FAILED_PRECONDITION naming it", async () => {
    const run = await client.submitRun({ runId: "manual", specFile, manual: true });
    expect(run).toMatchObject({ runId: "manual", specFile, output, manual: true });
    expect(run.state).toBe(PipelineRunState.PIPELINE_RUN_STATE_RUNNING);
    expect(run.stages.map((s) => s.name)).toEqual(ORDER);
    expect(run.stages.find((s) => s.name === "evaluate")!.needs).toEqual(["ingest", "train"]);

    const early = await failure(client.runStage({ runId: "manual", stage: "evaluate", wait: false }));
    expect(early).toBeInstanceOf(FailedPreconditionError);
    expect(early.cause.code).toBe(Status.FAILED_PRECONDITION);
    expect(early.message).toMatch(
      /^stage evaluate of run manual needs ingest, train to have succeeded first/,
    );
    expect(early.details).toEqual({ stage: "evaluate", missing: ["ingest", "train"] });
    const train = await failure(client.runStage({ runId: "manual", stage: "train", wait: false }));
    expect(train.details).toEqual({ stage: "train", missing: ["assemble"] });
    // The same through `ferret stage` (the built CLI).
    const cli = await ferret(["stage", `127.0.0.1:${server.port}`, "manual", "report"]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("stage report of run manual needs evaluate, train to have succeeded first");

    const unknown = await failure(client.runStage({ runId: "manual", stage: "annotate", wait: false }));
    expect(unknown.cause.code).toBe(Status.INVALID_ARGUMENT);
    expect(unknown.message).toBe(
      'run manual has no stage "annotate": its stages are ingest, assemble, train, evaluate, report',
    );
    const missing = await failure(client.getRun({ runId: "nope" }));
    expect(missing.cause.code).toBe(Status.NOT_FOUND);
    const relative = await failure(client.submitRun({ runId: "rel", specFile: "run.yaml", manual: true }));
    expect(relative.cause.code).toBe(Status.INVALID_ARGUMENT);

    // The submission event reached the reactors; a manual run's ingest (it needs nothing) stays unqueued.
    await new Promise((r) => setTimeout(r, 1500));
    const after = await client.getRun({ runId: "manual" });
    expect(after.stages.every((s) => s.job === undefined)).toBe(true);
  });

  it("runs it stage by stage, nothing chaining by itself, to the metrics of the same spec run embedded", async () => {
    const watched: PipelineRunStatus[] = [];
    const watching = (async () => {
      for await (const status of client.watchRun({ runId: "manual" })) watched.push(status);
    })();
    for (const [i, stage] of ORDER.slice(0, -1).entries()) {
      const done = await client.runStage({ runId: "manual", stage, wait: true });
      expect(done.job?.state, stage).toBe(JobState.JOB_STATE_SUCCEEDED);
      expect(done.skipped, stage).toBe(false);
      // Nothing chains by itself: the next stage is not queued.
      const next = ORDER[i + 1]!;
      await new Promise((r) => setTimeout(r, 300));
      expect(jobStates(await client.getRun({ runId: "manual" }))[next], next).toBeUndefined();
    }
    // The last one through `ferret stage`, which waits for it and prints its line.
    const report = await ferret(["stage", `127.0.0.1:${server.port}`, "manual", "report"], {
      timeoutMs: 300_000,
    });
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/^report +done in \d+\.\d s {2}key [0-9a-f]{12}\n$/);
    await watching;
    const last = watched.at(-1)!;
    expect(last.state).toBe(PipelineRunState.PIPELINE_RUN_STATE_SUCCEEDED);
    expect(last.reportHtml).toBe(join(output, "report.html"));
    // Each stage's output is written under the key the run planned for it, as an automatic run writes it.
    for (const { name, key } of last.stages) {
      const record = JSON.parse(await readFile(join(output, "stages", name, "stage.json"), "utf8")) as {
        key: string;
      };
      expect(record.key, name).toBe(key);
    }
    // The stream saw every stage succeed, one after the other.
    const succeededAt = ORDER.map((stage) =>
      watched.findIndex(
        (w) => w.stages.find((s) => s.name === stage)!.job?.state === JobState.JOB_STATE_SUCCEEDED,
      ),
    );
    expect(succeededAt.every((at, i) => at >= 0 && (i === 0 || at > succeededAt[i - 1]!))).toBe(true);

    const embeddedOut = join(root, "run-embedded");
    const spec = await loadPipelineSpec(await writePipelineSpec(fixture, "scifact-embedded", embeddedOut));
    await runEmbedded(spec, { env, progress: false });
    const manual = means(await readReport(output));
    const embedded = means(await readReport(embeddedOut));
    expect(Object.keys(manual)).toEqual(Object.keys(embedded));
    expect(Object.keys(manual)).toContain("trained");
    for (const [system, values] of Object.entries(embedded))
      for (const [measure, value] of Object.entries(values))
        expect(manual[system]![measure]!.toFixed(4), `${system} ${measure}`).toBe(value.toFixed(4));
  }, 600_000);

  it("does nothing when a finished stage is asked for again", async () => {
    const before = await client.getRun({ runId: "manual" });
    const file = join(output, "stages", "train", "stage.json");
    const written = (await stat(file)).mtimeMs;
    const again = await client.runStage({ runId: "manual", stage: "train", wait: true });
    expect(again).toEqual(before.stages.find((s) => s.name === "train"));
    await new Promise((r) => setTimeout(r, 500));
    expect(await client.getRun({ runId: "manual" })).toEqual(before);
    expect((await stat(file)).mtimeMs).toBe(written);
  });

  it("an automatic run of the same spec finds every stage's output under its key", async () => {
    const run = await client.submitRun({ runId: "automatic", specFile, manual: false });
    expect(run.manual).toBe(false);
    let last: PipelineRunStatus | undefined;
    for await (const status of client.watchRun({ runId: "automatic" })) last = status;
    expect(last?.state).toBe(PipelineRunState.PIPELINE_RUN_STATE_SUCCEEDED);
    expect(last!.stages.map((s) => [s.name, s.skipped])).toEqual(ORDER.map((s) => [s, true]));
  }, 120_000);

  it("cancels a run mid-training: the engine stops, no later stage starts, finished stages are kept", async () => {
    const cancelOut = join(root, "run-cancel");
    const cancelSpec = await writePipelineSpec(fixture, "scifact-cancel", cancelOut, { epochs: 5000 });
    await client.submitRun({ runId: "cancel", specFile: cancelSpec, manual: false });
    // Cancelled once the engine has taken a step (the stage's progress), 30,000 steps before its end.
    for await (const status of client.watchRun({ runId: "cancel" })) {
      const train = status.stages.find((s) => s.name === "train")!;
      if (Number(train.job?.progress?.done ?? 0) > 0) break;
    }
    // The engine: a python subprocess whose job file is under the run's work directory.
    const engines = async (): Promise<string[]> => {
      const found: string[] = [];
      for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
        const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
        if (cmd.includes(cancelOut) && cmd.includes("ferret_engine")) found.push(cmd.replace(/\0/g, " "));
      }
      return found;
    };
    expect(await engines()).toHaveLength(1);
    const cli = await ferret(["cancel", `127.0.0.1:${server.port}`, "cancel"]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(
      [
        "ingest   succeeded",
        "assemble succeeded",
        "train    cancelled",
        "evaluate cancelled",
        "report   cancelled",
        "run cancel cancelled",
        "",
      ].join("\n"),
    );
    // ... and it is gone once the stage has stopped.
    const deadline = Date.now() + 10_000;
    while ((await engines()).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await engines()).toEqual([]);
    const run = await client.getRun({ runId: "cancel" });
    expect(run.state).toBe(PipelineRunState.PIPELINE_RUN_STATE_CANCELLED);
    expect(jobStates(run)).toEqual({
      ingest: JobState.JOB_STATE_SUCCEEDED,
      assemble: JobState.JOB_STATE_SUCCEEDED,
      train: JobState.JOB_STATE_CANCELLED,
      evaluate: JobState.JOB_STATE_CANCELLED,
      report: JobState.JOB_STATE_CANCELLED,
    });
    expect(run.stages.find((s) => s.name === "train")!.job!.errorMessage).toBe(
      "cancelled by a CancelRun call",
    );
    // Only the finished stages wrote an output.
    expect((await readdir(join(cancelOut, "stages"))).sort()).toEqual(["assemble", "ingest"]);
    // Cancelling again changes nothing; a cancelled stage is not run again; an unknown run is NOT_FOUND.
    expect(await client.cancelRun({ runId: "cancel" })).toEqual(run);
    const again = await failure(client.runStage({ runId: "cancel", stage: "train", wait: false }));
    expect(again.cause.code).toBe(Status.FAILED_PRECONDITION);
    expect(again.message).toMatch(/^stage train of run cancel cancelled: cancelled by a CancelRun call;/);
    const unknown = await failure(client.cancelRun({ runId: "nope" }));
    expect(unknown.cause.code).toBe(Status.NOT_FOUND);
  }, 300_000);
});
