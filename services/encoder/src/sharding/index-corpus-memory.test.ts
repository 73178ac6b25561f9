/**
 * Sharded indexing on the in-process bus (embedded mode) when a worker dies mid-shard: the doomed worker's
 * encoder never returns on its third shard and its consumer is abandoned (stopped with no grace), so the
 * bus redelivers that shard after the ack wait. See test-support/sharded-index-scenario.ts.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBus, type Bus } from "@ferret/bus";
import { BiEncoder } from "@ferret/inference";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  HANG_ON,
  runShardedIndexScenario,
  type DoomedShardWorker,
} from "../test-support/sharded-index-scenario.js";
import { DEFAULT_SHARD_JOB_NAMES } from "./shard-job.js";
import { startShardWorker } from "./shard-worker.js";

let dir: string;
let bus: Bus;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-shards-"));
  bus = await createBus({ kind: "memory", dir: join(dir, "artifacts") });
});
afterAll(async () => {
  await bus?.close({ graceMs: 0 });
  await rm(dir, { recursive: true, force: true });
});

describe("sharded indexing on the in-process bus", () => {
  it("builds a complete index (every document exactly once) when a worker dies mid-shard", async () => {
    const queueOptions = { ackWaitMs: 1_000, maxDeliveries: 5 };
    const names = DEFAULT_SHARD_JOB_NAMES;
    await runShardedIndexScenario(
      {
        bus,
        names,
        queueOptions,
        outDir: join(dir, "index"),
        async startDoomedWorker(): Promise<DoomedShardWorker> {
          const real = await BiEncoder.load(FIXTURE_MODELS.biEncoder, { intraOpNumThreads: 1 });
          let calls = 0;
          let hang!: () => void;
          const hung = new Promise<void>((resolve) => (hang = resolve));
          const doomed = Object.create(real) as BiEncoder;
          doomed.embedMatrix = async (texts, role) => {
            const vectors = await real.embedMatrix(texts, role);
            if (++calls === HANG_ON) {
              hang();
              await new Promise(() => undefined); // dies before its worker records the shard
            }
            return vectors;
          };
          const worker = await startShardWorker({
            bus,
            encoders: async () => doomed,
            names,
            queueOptions,
            worker: "doomed",
          });
          let killed = false;
          return {
            hung,
            async kill() {
              if (killed) return;
              killed = true;
              await worker.stop({ graceMs: 0 });
              await real.close();
            },
          };
        },
      },
      "memory-job-1",
    );
  }, 120_000);
});
