/**
 * Sharded indexing on a real nats-server ($NATS_URL, default nats://127.0.0.1:4222; dev: infra/dev/nats.sh
 * start) when a replica is SIGKILLed mid-shard. Fails, never skips, when NATS is unreachable. The doomed
 * replica is a real child process (test-support/shard-worker-child.mjs, running the BUILT package) killed
 * after it encoded a shard and before it recorded it. Every queue, bucket and stream carries the run id and
 * is deleted afterwards.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "@ferret/bus";
import { forkWorkerProcess } from "@ferret/bus/testing";
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
  const child = forkWorkerProcess(childScript, {
    env: {
      NATS_URL: url,
      EVENTS: JSON.stringify(events),
      NAMES: JSON.stringify(names),
      QUEUE_OPTIONS: JSON.stringify(queueOptions),
      MODEL_DIR: FIXTURE_MODELS.biEncoder,
      HANG_ON: String(HANG_ON),
    },
    built: { file: builtPackage, command: "npx turbo run build --filter=@ferret/encoder..." },
  });
  const hung = child.message("hanging").then(() => undefined);
  hung.catch(() => undefined);
  await child.message("ready");
  return {
    hung,
    async kill() {
      const signal = await child.kill();
      if (signal !== undefined) expect(signal).toBe("SIGKILL");
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
