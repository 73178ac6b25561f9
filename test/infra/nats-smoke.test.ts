/**
 * NATS smoke test: the dev nats-server (infra/dev/nats.sh) has JetStream enabled, stores a message in a
 * stream and returns it.
 */
import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NATS_URL, uniqueName, unreachable } from "./services.js";

describe("NATS JetStream (dev server)", () => {
  let nc: NatsConnection | undefined;
  // A failing beforeAll makes vitest report the tests as skipped; keep the error and fail each test with it.
  let setupError: Error | undefined;
  const stream = uniqueName("ferret_smoke").replaceAll("-", "_");
  const subject = `${stream}.events`;

  beforeAll(async () => {
    try {
      nc = await connect({ servers: NATS_URL, timeout: 3_000, maxReconnectAttempts: 0 });
    } catch (err) {
      setupError = unreachable("NATS", NATS_URL, err);
    }
  });

  function connected(): NatsConnection {
    if (setupError || !nc) throw setupError ?? new Error("no NATS connection");
    return nc;
  }

  afterAll(async () => {
    if (!nc) return;
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it("reports JetStream account info", async () => {
    const nc = connected();
    let jsm;
    try {
      jsm = await jetstreamManager(nc, { timeout: 3_000 });
    } catch (err) {
      throw new Error(
        `JetStream is not enabled on ${NATS_URL}; start nats-server with -js (infra/dev/nats.sh)`,
        {
          cause: err,
        },
      );
    }
    const info = await jsm.getAccountInfo();
    expect(info.limits).toBeDefined();
    expect(info.api.total).toBeGreaterThan(0); // at least the account-info request just made
  });

  it("stores a message in a stream and reads it back", async () => {
    const nc = connected();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.Memory });
    const ack = await jetstream(nc).publish(subject, "hello ferret");
    expect(ack.stream).toBe(stream);
    expect(ack.seq).toBe(1);
    const msg = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(msg?.string()).toBe("hello ferret");
    const info = await jsm.getAccountInfo();
    expect(info.streams).toBeGreaterThanOrEqual(1);
  });
});
