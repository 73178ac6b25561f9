/**
 * The bus contract against a real nats-server with JetStream ($NATS_URL, default
 * nats://127.0.0.1:4222; dev: infra/dev/nats.sh start). Fails, never skips, when it is unreachable.
 * Every stream this run creates has the run id in its name and is deleted afterwards.
 */
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "./create-bus.js";
import type { NatsBusConfig } from "./nats/nats-bus.js";
import { describeBusContract, type BusHarness, type DoomedWorker } from "./test-support/contract/index.js";
import { within } from "./test-support/waiting.js";
import { forkWorkerProcess } from "./test-support/worker-process.js";
import type { Bus } from "./types.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const config: NatsBusConfig = {
  kind: "nats",
  url,
  name: "bus-contract-test",
  events: { stream: `FERRET_TEST_EVENTS_${runId}`, prefix: `ferret.test.${runId}` },
};
const workerScript = fileURLToPath(new URL("./test-support/doomed-worker.mjs", import.meta.url));
const builtPackage = fileURLToPath(new URL("../dist/index.js", import.meta.url));

async function startChildWorker(spec: Parameters<BusHarness["startDoomedWorker"]>[0]): Promise<DoomedWorker> {
  const child = forkWorkerProcess(workerScript, {
    env: {
      NATS_URL: url,
      QUEUE: spec.queue,
      QUEUE_OPTIONS: JSON.stringify(spec.queueOptions),
      EFFECTS_BUCKET: spec.effectsBucket,
    },
    built: { file: builtPackage, command: "npx turbo run build --filter=@ferret/bus" },
  });
  const effect = child.message<{ type: "effect"; id: string }>("effect").then((m) => m.id);
  // Observed by whoever awaits effectRecorded; don't report it twice as unhandled.
  effect.catch(() => undefined);
  await within(15_000, "the worker process to start", child.message("ready"));
  const kill = async () => void (await child.kill());
  return { effectRecorded: effect, kill, dispose: kill };
}

const harness: BusHarness = {
  kind: "nats",
  runId,
  createBus: () => createBus(config),
  // A replica is another process in a cluster: give it its own connection.
  replica: () => createBus(config),
  startDoomedWorker: startChildWorker,
};

async function deleteRunStreams(): Promise<string[]> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const name of jsm.streams.names()) if (name.includes(runId)) names.push(name);
    await Promise.all(names.map((n) => jsm.streams.delete(n)));
    return names;
  } finally {
    await nc.close();
  }
}

describe("NATS connection", () => {
  let bus: Bus | undefined;
  beforeAll(async () => {
    // Fails the whole file with the reason when the server is down: no silent skip.
    bus = await createBus(config);
  });
  afterAll(async () => {
    await bus?.close();
  });

  it("reports an unreachable server as UnavailableError naming the URL", async () => {
    await expect(
      createBus({ kind: "nats", url: "nats://127.0.0.1:1", connectTimeoutMs: 1_000 }),
    ).rejects.toMatchObject({
      code: "UNAVAILABLE",
      message: expect.stringContaining("nats://127.0.0.1:1"),
    });
  });

  it("uses WorkQueue retention with an unlimited-max-deliver durable consumer per queue", async () => {
    const name = `shape-${runId}`;
    const queue = await bus!.queue(name, { ackWaitMs: 7_000 });
    const nc = await connect({ servers: url });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = await jsm.streams.info(`FERRET_JOBS_${name}`);
      expect(stream.config.retention).toBe("workqueue");
      expect(stream.config.subjects).toEqual([`ferret.jobs.${name}`]);
      const consumer = await jsm.consumers.info(`FERRET_JOBS_${name}`, "workers");
      expect(consumer.config.ack_policy).toBe("explicit");
      expect(consumer.config.ack_wait).toBe(7_000 * 1e6);
      expect(consumer.config.max_deliver).toBe(-1);
      expect((await jsm.streams.info(`FERRET_JOBS_${name}-dlq`)).config.retention).toBe("workqueue");
    } finally {
      await nc.close();
      await queue.destroy();
    }
  });
});

describeBusContract(harness);

afterAll(async () => {
  const left = await deleteRunStreams();
  // Every test cleans up after itself; the sweep is a safety net. Events streams are per run.
  expect(left.filter((n) => !n.startsWith("FERRET_TEST_EVENTS_"))).toEqual([]);
});
