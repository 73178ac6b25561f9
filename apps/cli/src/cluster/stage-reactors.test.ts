import { fork } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "@ferret/bus";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  openPipelineStores,
  pipelineNames,
  stageJobId,
  submitRun,
  type PipelineStores,
  type RunRecord,
} from "./pipeline-run.js";
import { startStageReactors, type RunStage, type StageReactors } from "./stage-reactors.js";
import { destroyPipelineState } from "./test-support/pipeline-state.js";
import { watchRun, type RunView } from "./watch-run.js";

// Real NATS (the dev server): two hosts of a four-stage graph (a; b and c after a; d after b and c) react to
// each other's events; nothing calls the stages in turn. The stages' work is the test's own (what they do is
// not under test here: the choreography is); each run is recorded to check once-only and order.
const url = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const STAGES = ["a", "b", "c", "d"];
const builtHost = fileURLToPath(new URL("../../dist/cluster/stage-reactors.js", import.meta.url));
const hostScript = fileURLToPath(new URL("./test-support/stage-host-process.mjs", import.meta.url));

const runTag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const prefix = `pltest-${runTag}`;
// An events stream of its own: other tests delete theirs (and the consumers in them) on the shared server.
const events = { stream: `FERRET_TEST_EVENTS_${runTag}`, prefix: `ferret.test.${runTag}` };
const natsBus = (name: string) => createBus({ kind: "nats", url, name, events });
let buses: Bus[] = [];
let reactors: StageReactors[] = [];

function plan(runId: string): RunRecord {
  return {
    runId,
    specFile: "/nonexistent/pipeline.yaml",
    output: "/nonexistent/run",
    submittedAt: new Date().toISOString(),
    stages: [
      { name: "a", key: "ka", needs: [] },
      { name: "b", key: "kb", needs: ["a"] },
      { name: "c", key: "kc", needs: ["a"] },
      { name: "d", key: "kd", needs: ["b", "c"] },
    ],
  };
}

interface Ran {
  host: string;
  stage: string;
  start: number;
  end: number;
}

async function host(name: string, ran: Ran[], stages = STAGES): Promise<PipelineStores> {
  const bus = await natsBus(`reactor-test-${name}`);
  buses.push(bus);
  const stores = await openPipelineStores(bus, pipelineNames(prefix));
  const runStage: RunStage = async (run, stage, ctx) => {
    const start = performance.now();
    for (let i = 1; i <= 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ctx.progress(i, 3, "steps");
    }
    ran.push({ host: name, stage, start, end: performance.now() });
    return { host: name, key: run.stages.find((s) => s.name === stage)!.key };
  };
  reactors.push(await startStageReactors({ bus, stores, stages, runStage, ackWaitMs: 2000, progressMs: 0 }));
  return stores;
}

async function finish(stores: PipelineStores, runId: string): Promise<RunView> {
  let last: RunView | undefined;
  const signal = AbortSignal.timeout(60_000);
  for await (const view of watchRun(stores, runId, signal)) last = view;
  if (last === undefined || last.state === "running")
    throw new Error(`run ${runId} did not end: ${JSON.stringify(last)}`);
  return last;
}

afterEach(async () => {
  await Promise.all(reactors.map((r) => r.stop({ graceMs: 500 })));
  reactors = [];
});
afterAll(async () => {
  const bus = buses[0];
  if (bus) {
    await destroyPipelineState(bus, { url, prefix, stages: STAGES, eventsStream: events.stream });
  }
  await Promise.all(buses.map((b) => b.close({ graceMs: 500 })));
  buses = [];
});

describe("stage choreography on NATS", () => {
  it("runs each stage once, after what it needs, across two hosts; repeated events submit nothing", async () => {
    const ran: Ran[] = [];
    const stores = await host("one", ran);
    await host("two", ran);
    const run = plan("run-once");
    expect(await submitRun(buses[0]!, stores, run)).toEqual({ created: true });
    const view = await finish(stores, run.runId);
    expect(view.state).toBe("succeeded");
    expect(ran.map((r) => r.stage).sort()).toEqual(STAGES);
    const at = Object.fromEntries(ran.map((r) => [r.stage, r]));
    expect(at.b!.start).toBeGreaterThanOrEqual(at.a!.end);
    expect(at.c!.start).toBeGreaterThanOrEqual(at.a!.end);
    expect(at.d!.start).toBeGreaterThanOrEqual(Math.max(at.b!.end, at.c!.end));
    for (const s of STAGES) {
      const record = view.stages[s]!;
      expect(record.result).toEqual({ host: at[s]!.host, key: `k${s}` });
      expect(record.progress).toMatchObject({ done: 3, total: 3, unit: "steps" });
    }

    // The same submission again, and every completion announced again under new event ids: a reactor sees
    // the jobs exist and submits nothing.
    expect(await submitRun(buses[1]!, stores, run)).toEqual({ created: false });
    for (const s of STAGES)
      await buses[1]!.events.publish(
        pipelineNames(prefix).completed,
        { runId: run.runId, stage: s },
        { id: `again-${s}` },
      );
    await new Promise((r) => setTimeout(r, 3000));
    expect(ran).toHaveLength(STAGES.length);
    await expect(submitRun(buses[0]!, stores, { ...plan("run-once"), output: "/elsewhere" })).rejects.toThrow(
      /exists with another plan/,
    );
  });

  it("a host SIGKILLed mid-stage: the stage goes to the other host, nothing before it runs again", async () => {
    if (!existsSync(builtHost))
      throw new Error("the host process imports dist/: npx turbo run build --filter=@ferret/cli");
    const ran: Ran[] = [];
    const child = fork(hostScript, [], {
      env: {
        ...process.env,
        NATS_URL: url,
        PREFIX: prefix,
        EVENTS_STREAM: events.stream,
        EVENTS_PREFIX: events.prefix,
        STAGES: STAGES.join(","),
        HANG_STAGE: "b",
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const exited = once(child, "exit");
    const childRan: string[] = [];
    const hung = new Promise<void>((resolve, reject) => {
      child.on("message", (m: { type: string; stage?: string }) => {
        if (m.type === "finished") childRan.push(m.stage!);
        if (m.type === "started" && m.stage === "b") resolve();
      });
      void exited.then(([code]) => reject(new Error(`host process exited early (${String(code)})`)));
    });
    try {
      await new Promise<void>((resolve) =>
        child.on("message", (m: { type: string }) => m.type === "ready" && resolve()),
      );
      const bus = await natsBus("reactor-test-submit");
      buses.push(bus);
      const stores = await openPipelineStores(bus, pipelineNames(prefix));
      const run = plan("run-killed");
      await submitRun(bus, stores, run);
      await hung;
      child.kill("SIGKILL");
      await exited;
      await host("survivor", ran);
      const view = await finish(stores, run.runId);
      expect(view.state).toBe("succeeded");
      expect(childRan).toContain("a");
      expect(ran.map((r) => r.stage)).not.toContain("a");
      expect(ran.filter((r) => r.stage === "b")).toHaveLength(1);
      expect(view.stages.b!.result).toEqual({ host: "survivor", key: "kb" });
      expect(view.stages.b!.progress.message).toBe("running (delivery 2)");
      expect(view.stages.a!.result).toEqual({ by: "child", stage: "a" });
      expect(await stores.stages.get(stageJobId(run.runId, "d"))).toMatchObject({ state: "succeeded" });
    } finally {
      child.kill("SIGKILL");
    }
  });
});
