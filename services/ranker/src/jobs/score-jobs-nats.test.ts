/**
 * Exactly-once scoring jobs on a real nats-server ($NATS_URL, default nats://127.0.0.1:4222; dev:
 * infra/dev/nats.sh start). Fails, never skips, when it is unreachable. The doomed worker is a real child
 * process (test-support/score-job-child.mjs, running the BUILT package) killed with SIGKILL after it has
 * scored a batch and before it records it. Every queue, bucket and object store carries the run id and is
 * deleted afterwards.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "@ferret/bus";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HANG_ON,
  runExactlyOnceScenario,
  type DoomedScoreWorker,
} from "../test-support/exactly-once-scenario.js";
import { TINY_CE } from "../test-support/fixtures.js";
import type { ScoreJobNames } from "./score-job-record.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const names: ScoreJobNames = {
  queue: `ranker-score-${runId}`,
  jobsBucket: `ranker-jobs-${runId}`,
  batchesBucket: `ranker-batches-${runId}`,
  resultsBucket: `ranker-results-${runId}`,
};
const queueOptions = { ackWaitMs: 2_000, maxDeliveries: 5 };
const events = { stream: `FERRET_TEST_EVENTS_${runId}`, prefix: `ferret.test.${runId}` };
const childScript = fileURLToPath(new URL("../test-support/score-job-child.mjs", import.meta.url));
const builtPackage = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

let bus: Bus;
beforeAll(async () => {
  bus = await createBus({ kind: "nats", url, name: "ranker-jobs-test", events });
});
afterAll(async () => {
  if (bus === undefined) return;
  const queue = await bus.queue(names.queue, queueOptions);
  await queue.destroy();
  for (const bucket of [names.jobsBucket, names.batchesBucket]) await (await bus.kv(bucket)).destroy();
  await (await bus.objects(names.resultsBucket)).destroy();
  await bus.close({ graceMs: 0 });
  const nc = await connect({ servers: url });
  try {
    await (await jetstreamManager(nc)).streams.delete(events.stream);
  } finally {
    await nc.close();
  }
});

async function startChild(): Promise<DoomedScoreWorker> {
  if (!existsSync(builtPackage)) {
    throw new Error(
      "the worker process imports the built package; run: npx turbo run build --filter=@ferret/ranker",
    );
  }
  const child: ChildProcess = fork(childScript, [], {
    env: {
      ...process.env,
      NATS_URL: url,
      EVENTS: JSON.stringify(events),
      NAMES: JSON.stringify(names),
      QUEUE_OPTIONS: JSON.stringify(queueOptions),
      MODEL_DIR: TINY_CE,
      HANG_ON: String(HANG_ON),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  let onReady!: () => void;
  let onHung!: (first: readonly [string, string]) => void;
  let onExit!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onExit = reject;
  });
  const hung = new Promise<readonly [string, string]>((resolve, reject) => {
    onHung = resolve;
    void exited.then(([code, signal]) =>
      reject(new Error(`worker process exited (code ${code}, signal ${signal})`)),
    );
  });
  hung.catch(() => undefined);
  child.on("message", (m: { type: string; first?: [string, string] }) => {
    if (m.type === "ready") onReady();
    if (m.type === "hanging") onHung(m.first!);
  });
  void exited.then(([code, signal]) =>
    onExit(new Error(`worker process exited early (code ${code}, signal ${signal})`)),
  );
  await ready;
  return {
    hung,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        const [, signal] = await exited;
        expect(signal).toBe("SIGKILL");
      }
    },
  };
}

describe("score jobs on NATS JetStream", () => {
  it("record every pair exactly once when a worker process is SIGKILLed mid-job", async () => {
    await runExactlyOnceScenario(
      { bus, names, queueOptions, startDoomedWorker: startChild },
      `nats-job-${runId}`,
    );
  }, 120_000);
});
