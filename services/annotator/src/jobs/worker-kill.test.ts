import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "@ferret/bus";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Annotator } from "../annotator.js";
import { CallLimiter } from "../llm/limiter.js";
import { OpenAiBackend } from "../llm/openai-backend.js";
import {
  startFaultInjectionServer,
  type FaultInjectionServer,
} from "../test-support/fault-injection-server.js";
import { expectPublishedLabels } from "../test-support/published-labels.js";
import { expectedGrade, relevanceItems, relevanceResponder } from "../test-support/relevance-fixture.js";
import { startAnnotationWorker } from "./annotation-worker.js";
import { destroyJobStore, openJobStore, type JobStore } from "./job-store.js";
import { collectLabels, getJob, jobProgress } from "./job-state.js";
import { submitJob } from "./submit-job.js";

const url = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const prefix = `annkill-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const workerScript = fileURLToPath(new URL("../test-support/worker-process.mjs", import.meta.url));
const builtPackage = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const items = relevanceItems(30);

let bus: Bus;
let store: JobStore;
let server: FaultInjectionServer;

beforeAll(async () => {
  bus = await createBus({ kind: "nats", url, name: "annotator-kill-test" });
  store = await openJobStore(bus, { prefix, ackWaitMs: 2000 });
  // Slow replies so the worker is surely mid-job when it dies.
  server = await startFaultInjectionServer(relevanceResponder({ delayMs: 60 }));
});
afterAll(async () => {
  await server?.close();
  if (store) await destroyJobStore(store);
  await bus?.close();
});

async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("a worker killed mid-job (NATS)", () => {
  it("loses no label and duplicates none; a rerun makes 0 LLM calls", { timeout: 60_000 }, async () => {
    if (!existsSync(builtPackage)) {
      throw new Error(
        "the worker process imports the built package; run: npx turbo run build --filter=@ferret/annotator",
      );
    }
    await submitJob(store, { jobId: "killed", kind: "relevance", items, batchSize: 10 });
    const child: ChildProcess = fork(workerScript, [], {
      env: { ...process.env, NATS_URL: url, PREFIX: prefix, LLM_URL: server.baseUrl },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const exited = once(child, "exit");
    let childLabels = 0;
    const sixLabels = new Promise<void>((resolve, reject) => {
      child.on("message", (m: { type: string }) => {
        if (m.type === "label" && ++childLabels === 6) resolve();
      });
      void exited.then(([code, signal]) => reject(new Error(`worker exited early (${code}, ${signal})`)));
    });
    await sixLabels;
    child.kill("SIGKILL");
    await exited;
    const atKill = (await jobProgress(store, "killed")).itemsDone;
    expect(atKill).toBeGreaterThanOrEqual(6);
    expect(atKill).toBeLessThan(items.length);

    const annotator = new Annotator({
      backend: new OpenAiBackend({ baseUrl: server.baseUrl, model: "fault-model" }),
      cache: store.cache,
      limiter: new CallLimiter({ concurrency: 4 }),
    });
    const worker = startAnnotationWorker(store, annotator, { itemConcurrency: 4 });
    await waitFor(
      "the job to finish",
      40_000,
      async () => (await getJob(store, "killed")).state === "succeeded",
    );
    await worker.stop();

    const labels = await collectLabels(store, "killed");
    expect(labels).toHaveLength(items.length);
    expect(new Set(labels.map((l) => `${l.queryId}/${l.docId}`)).size).toBe(items.length);
    for (const l of labels) expect(l).toMatchObject({ status: "ok", grade: expectedGrade(l.docId) });
    // Items whose reply arrived in the killed worker but were not stored were served from the cache:
    // no item was asked more than twice (once by the dead worker, once by the survivor).
    const asked = new Map<string, number>();
    for (const r of server.requests) {
      const id = /passage (\d+) GRADE/.exec(r.body.messages.map((m) => m.content).join("\n"))?.[1] ?? "?";
      asked.set(id, (asked.get(id) ?? 0) + 1);
    }
    expect(Math.max(...asked.values())).toBeLessThanOrEqual(2);
    // the survivor published the labels dataset once the last batch was done
    await expectPublishedLabels(store, "killed");

    const before = server.requests.length;
    await submitJob(store, { jobId: "killed-rerun", kind: "relevance", items, batchSize: 10 });
    const again = startAnnotationWorker(store, annotator, { itemConcurrency: 4 });
    await waitFor(
      "the rerun",
      20_000,
      async () => (await getJob(store, "killed-rerun")).state === "succeeded",
    );
    await again.stop();
    expect(server.requests.length).toBe(before);
    expect(await collectLabels(store, "killed-rerun")).toHaveLength(items.length);
  });
});
