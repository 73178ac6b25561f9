/** The bus contract against the in-process adapter, plus faults only a filesystem store can show. */
import { mkdtempSync } from "node:fs";
import { readdir, rm, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlreadyExistsError, ChecksumMismatchError } from "@ferret/errors";
import { afterAll, describe, expect, it } from "vitest";
import { createBus } from "./create-bus.js";
import { describeBusContract, type BusHarness } from "./test-support/contract/index.js";
import { deferred } from "./test-support/waiting.js";

const dir = mkdtempSync(join(tmpdir(), "ferret-bus-memory-"));
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const harness: BusHarness = {
  kind: "memory",
  runId,
  createBus: () => createBus({ kind: "memory", dir }),
  // Embedded mode is one process: replicas of a stage are consumers on the same bus.
  replica: (bus) => Promise.resolve(bus),
  async startDoomedWorker({ bus, queue, queueOptions, effectsBucket }) {
    const q = await bus.queue(queue, queueOptions);
    const effects = await bus.kv(effectsBucket);
    const recorded = deferred<string>();
    // Abandoned handler: records its effect, then never resolves, so it never acks.
    const consumer = q.consume(async (job) => {
      try {
        await effects.create(`effect.${job.id}`, { by: "doomed-worker", deliveryCount: job.deliveryCount });
      } catch (err) {
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
      recorded.resolve(job.id);
      await new Promise(() => {});
    });
    return {
      effectRecorded: recorded.promise,
      kill: () => Promise.resolve(),
      dispose: () => consumer.stop({ graceMs: 0 }),
    };
  },
};

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeBusContract(harness);

describe("filesystem object store (in-process adapter)", () => {
  it("detects a corrupted file on disk", async () => {
    const bus = await createBus({ kind: "memory", dir });
    const store = await bus.objects(`corrupt-${runId}`);
    try {
      const content = Buffer.alloc(300_000, 7);
      await store.put("a.bin", content);
      const blobs = join(dir, "objects", `corrupt-${runId}`, "blobs");
      const [blob] = await readdir(blobs);
      const onDisk = await readFile(join(blobs, blob!));
      onDisk[123_456] = onDisk[123_456]! ^ 0xff; // one flipped byte
      await writeFile(join(blobs, blob!), onDisk);
      await expect(store.getBytes("a.bin")).rejects.toThrow(ChecksumMismatchError);
    } finally {
      await store.destroy();
      await bus.close();
    }
  });

  it("keeps the previous version when a put fails, and leaves no temp files", async () => {
    const bus = await createBus({ kind: "memory", dir });
    const store = await bus.objects(`atomic-${runId}`);
    try {
      await store.put("model.onnx", Buffer.from("version 1"));
      async function* failing() {
        yield Buffer.from("version 2, first half");
        throw new Error("upload interrupted");
      }
      await expect(store.put("model.onnx", failing())).rejects.toThrow("upload interrupted");
      expect(Buffer.from(await store.getBytes("model.onnx")).toString()).toBe("version 1");
      expect(await readdir(join(dir, "objects", `atomic-${runId}`, "tmp"))).toEqual([]);
      expect(await readdir(join(dir, "objects", `atomic-${runId}`, "blobs"))).toHaveLength(1);
    } finally {
      await store.destroy();
      await bus.close();
    }
  });
});
