/**
 * Sharded indexing on a real nats-server ($NATS_URL, default nats://127.0.0.1:4222; dev: infra/dev/nats.sh
 * start) when a replica is SIGKILLed mid-shard. Fails, never skips, when NATS is unreachable. The doomed
 * replica is a real child process (test-support/shard-worker-child.mjs, running the BUILT package) killed
 * after it encoded a shard and before it recorded it. Every queue, bucket and stream carries the run id and
 * is deleted afterwards.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "@ferret/bus";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NATS_URL, destroyNatsTestState, natsTestState } from "../test-support/nats-test-state.js";
import {
  HANG_ON,
  runShardedIndexScenario,
  type DoomedShardWorker,
} from "../test-support/sharded-index-scenario.js";

const nats = natsTestState();
const { runId, names, events } = nats;
const url = NATS_URL;
const queueOptions = { ackWaitMs: 2_000, maxDeliveries: 5 };
const childScript = fileURLToPath(new URL("../test-support/shard-worker-child.mjs", import.meta.url));
const builtPackage = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

let bus: Bus;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-nats-"));
  bus = await createBus({ kind: "nats", url, name: "encoder-shards-test", events });
});
afterAll(async () => {
  if (bus !== undefined) await destroyNatsTestState(bus, nats);
  await rm(dir, { recursive: true, force: true });
});

async function startChild(): Promise<DoomedShardWorker> {
  if (!existsSync(builtPackage)) {
    throw new Error(
      "the worker process imports the built package; run: npx turbo run build --filter=@ferret/encoder...",
    );
  }
  const child: ChildProcess = fork(childScript, [], {
    env: {
      ...process.env,
      NATS_URL: url,
      EVENTS: JSON.stringify(events),
      NAMES: JSON.stringify(names),
      QUEUE_OPTIONS: JSON.stringify(queueOptions),
      MODEL_DIR: FIXTURE_MODELS.biEncoder,
      HANG_ON: String(HANG_ON),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = once(child, "exit");
  let onReady!: () => void;
  let onHung!: () => void;
  let onExit!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onExit = reject;
  });
  const hung = new Promise<void>((resolve, reject) => {
    onHung = resolve;
    void exited.then(([code, signal]) =>
      reject(new Error(`worker process exited (code ${code}, signal ${signal})`)),
    );
  });
  hung.catch(() => undefined);
  child.on("message", (m: { type: string }) => {
    if (m.type === "ready") onReady();
    if (m.type === "hanging") onHung();
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

describe("sharded indexing on NATS JetStream", () => {
  it("builds a complete index (every document exactly once) when a replica process is SIGKILLed mid-shard", async () => {
    await runShardedIndexScenario(
      { bus, names, queueOptions, outDir: join(dir, "index"), startDoomedWorker: startChild },
      `nats-job-${runId}`,
    );
  }, 120_000);
});
