/**
 * Exactly-once scoring jobs on a real nats-server ($NATS_URL, default nats://127.0.0.1:4222; dev:
 * infra/dev/nats.sh start). Fails, never skips, when it is unreachable. The doomed worker is a real child
 * process (test-support/score-job-child.mjs, running the BUILT package) killed with SIGKILL after it has
 * scored a batch and before it records it. Every queue, bucket and object store carries the run id and is
 * deleted afterwards.
 */
import { fileURLToPath } from "node:url";
import { createBus, type Bus } from "@ferret/bus";
import { forkWorkerProcess } from "@ferret/bus/testing";
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
  const child = forkWorkerProcess(childScript, {
    env: {
      NATS_URL: url,
      EVENTS: JSON.stringify(events),
      NAMES: JSON.stringify(names),
      QUEUE_OPTIONS: JSON.stringify(queueOptions),
      MODEL_DIR: TINY_CE,
      HANG_ON: String(HANG_ON),
    },
    built: { file: builtPackage, command: "npx turbo run build --filter=@ferret/ranker" },
  });
  const hung = child.message<{ type: "hanging"; first: [string, string] }>("hanging").then((m) => m.first);
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

describe("score jobs on NATS JetStream", () => {
  it("record every pair exactly once when a worker process is SIGKILLed mid-job", async () => {
    await runExactlyOnceScenario(
      { bus, names, queueOptions, startDoomedWorker: startChild },
      `nats-job-${runId}`,
    );
  }, 120_000);
});
