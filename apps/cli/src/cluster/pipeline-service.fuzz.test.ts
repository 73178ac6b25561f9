/**
 * The pipeline API's requests fuzzed through a real gRPC server on loopback and the dev nats-server (a
 * prefix and an events stream of this test's own; no stage hosts, so nothing runs): every field of
 * SubmitRun, RunStage, GetRun and CancelRun gets random and boundary values, spec files among them a valid spec,
 * relative, missing and non-spec paths (fixed seed; FERRET_FUZZ_RUNS for more). Each call must be answered,
 * or refused with a typed bad-request status, within its deadline; a run submitted before the fuzz (whose
 * id the fuzz submits again) is unchanged.
 */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { createBus, type Bus } from "@ferret/bus";
import { fuzzTimeout } from "@ferret/errors/testing";
import { createClient, startGrpcServer, type GrpcServer, type ServiceClient } from "@ferret/grpc";
import { fuzzMethod, fuzzRawRequests } from "@ferret/grpc/testing";
import { PipelineRunState, PipelineService, type PipelineRunStatus } from "@ferret/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makePipelineRoot } from "../pipeline/test-support/pipeline-fixture.js";
import { openPipelineStores, pipelineNames } from "./pipeline-run.js";
import { createPipelineService } from "./pipeline-service.js";
import { stageQueueOptions } from "./stage-reactors.js";
import { destroyPipelineState } from "./test-support/pipeline-state.js";

const url = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const runTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const prefix = `plfuzz-${runTag}`;
const events = { stream: `FERRET_TEST_EVENTS_${runTag}`, prefix: `ferret.test.${runTag}` };
const STORED_RUN = "fuzz-stored";

let root: string;
let spec: string;
let bus: Bus;
let server: GrpcServer;
let client: ServiceClient<typeof PipelineService>;
let stored: PipelineRunStatus;

beforeAll(async () => {
  root = await makePipelineRoot("ferret-pipeline-fuzz-");
  spec = join(root, "pipeline.yaml");
  await writeFile(
    spec,
    [
      "name: fuzz",
      "dataset: { dir: data, test: test }",
      "baselines: { bm25: {} }",
      "output: runs/fuzz",
      "",
    ].join("\n"),
  );
  bus = await createBus({ kind: "nats", url, name: "pipeline-fuzz-test", events });
  const stores = await openPipelineStores(bus, pipelineNames(prefix));
  server = await startGrpcServer({
    host: "127.0.0.1",
    services: [createPipelineService({ bus, stores, queueOptions: stageQueueOptions({}) })],
  });
  client = createClient(PipelineService, `127.0.0.1:${server.port}`, { retry: false, deadlineMs: 20_000 });
  await client.submitRun({ runId: STORED_RUN, specFile: spec, manual: true });
  stored = await client.getRun({ runId: STORED_RUN });
}, fuzzTimeout(60_000));

afterAll(async () => {
  client?.close();
  await server?.shutdown();
  if (bus !== undefined) {
    await destroyPipelineState(bus, {
      url,
      prefix,
      stages: ["ingest", "evaluate", "report"],
      eventsStream: events.stream,
    });
    await bus.close({ graceMs: 500 });
  }
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

const values = () => ({
  run_id: fc.constantFrom(STORED_RUN, "", "fz-1", "fz 2", "../x", "a".repeat(200), "\u0000"),
  spec_file: fc.constantFrom(
    spec,
    "",
    "pipeline.yaml",
    join(root, "missing.yaml"),
    join(root, "data"),
    join(root, "data", "qrels", "test.tsv"),
    "/dev/null",
    "\u0000",
  ),
  stage: fc.constantFrom("ingest", "evaluate", "report", "train", "", "../x", "a".repeat(300)),
  // RunStage with wait on a stage no host runs would wait until its deadline: queued only.
  wait: fc.constant(false),
});

describe("pipeline gRPC, fuzzed", () => {
  for (const [key, runs] of [
    ["submitRun", 60],
    ["runStage", 60],
    ["getRun", 30],
  ] as const) {
    it(
      `${key}: every request is answered or refused with a typed bad-request status`,
      async () => {
        expect(await fuzzMethod(client, PipelineService, key, { values: values(), runs })).toBeGreaterThan(0);
      },
      fuzzTimeout(120_000),
    );
  }

  it(
    "submitRun: raw request bytes are answered or INVALID_ARGUMENT",
    async () => {
      const address = `127.0.0.1:${server.port}`;
      expect(
        await fuzzRawRequests(address, PipelineService, "submitRun", { values: values(), runs: 30 }),
      ).toBeGreaterThan(0);
    },
    fuzzTimeout(120_000),
  );

  it("left the run submitted before the fuzz as it was", async () => {
    expect(await client.getRun({ runId: STORED_RUN })).toEqual(stored);
  });

  // Last, since it may cancel the stored run.
  it(
    "cancelRun: every request is answered or refused with a typed bad-request status",
    async () => {
      expect(
        await fuzzMethod(client, PipelineService, "cancelRun", { values: values(), runs: 30 }),
      ).toBeGreaterThan(0);
      const after = await client.cancelRun({ runId: STORED_RUN });
      expect(after.state).toBe(PipelineRunState.PIPELINE_RUN_STATE_CANCELLED);
      expect(after.stages.map((s) => s.name)).toEqual(stored.stages.map((s) => s.name));
    },
    fuzzTimeout(120_000),
  );
});
