/**
 * The job runtime's contract on a real nats-server with JetStream ($NATS_URL, default
 * nats://127.0.0.1:4222; dev: infra/dev/nats.sh start). Fails, never skips, when it is unreachable.
 */
import { createBus } from "@ferret/bus";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll } from "vitest";
import { describeJobsContract } from "./test-support/jobs-contract.js";

const url = process.env["NATS_URL"] ?? "nats://127.0.0.1:4222";
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const events = { stream: `FERRET_TEST_EVENTS_${runId}`, prefix: `ferret.test.${runId}` };

afterAll(async () => {
  const nc = await connect({ servers: url });
  try {
    await (await jetstreamManager(nc)).streams.delete(events.stream).catch(() => undefined);
  } finally {
    await nc.close();
  }
});

describeJobsContract({
  kind: "nats",
  runId,
  createBus: () => createBus({ kind: "nats", url, name: "jobs-contract-test", events }),
});
