/** Object store contract: 50 MB round trip with SHA-256, checksum mismatch detection, list/delete. */
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { ChecksumMismatchError, NotFoundError } from "@ferret/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus, ObjectStore } from "../../types.js";
import { type BusHarness, uniqueName } from "./harness.js";

const MB = 1024 * 1024;

/** Drains a stream, hashing as it goes (the reference digest is node:crypto over the source bytes). */
async function drain(stream: Readable): Promise<{ size: number; sha256: string; bytes: Buffer }> {
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  return { size: bytes.length, sha256: hash.digest("hex"), bytes };
}

export function describeObjectContract(harness: BusHarness): void {
  describe(`object store (${harness.kind})`, () => {
    let bus: Bus;
    let store: ObjectStore;
    // Random content: nothing for a store to deduplicate or compress away.
    const artifact = randomBytes(50 * MB);
    const artifactSha = createHash("sha256").update(artifact).digest("hex");

    beforeAll(async () => {
      bus = await harness.createBus();
      store = await bus.objects(uniqueName(harness, "artifacts"));
    });
    afterAll(async () => {
      await store?.destroy();
      await bus?.close();
    });

    it("round-trips a 50 MB artifact streamed in, with its SHA-256", async () => {
      const name = "models/e5-small/model.onnx";
      const chunks = Array.from({ length: 50 }, (_, i) => artifact.subarray(i * MB, (i + 1) * MB));
      const info = await store.put(name, Readable.from(chunks), {
        metadata: { kind: "model" },
        description: "test model",
      });
      expect(info).toMatchObject({ name, size: 50 * MB, sha256: artifactSha, metadata: { kind: "model" } });

      const download = await store.get(name);
      expect(download.info).toMatchObject({
        name,
        size: 50 * MB,
        sha256: artifactSha,
        description: "test model",
      });
      const got = await drain(download.stream);
      expect(got.size).toBe(50 * MB);
      expect(got.sha256).toBe(artifactSha);
      expect(got.bytes.equals(artifact)).toBe(true);
    }, 60_000);

    it("fails the read with ChecksumMismatchError when the content does not match the expected SHA-256", async () => {
      const name = "datasets/small.bin";
      const bytes = artifact.subarray(0, 3 * MB);
      await store.put(name, bytes);
      const wrong = createHash("sha256").update("something else").digest("hex");
      const { stream } = await store.get(name, { expectedSha256: wrong });
      await expect(drain(stream)).rejects.toThrow(ChecksumMismatchError);
      await expect(store.getBytes(name, { expectedSha256: wrong })).rejects.toMatchObject({
        code: "CHECKSUM_MISMATCH",
      });
      // With the right expectation it reads fine.
      const right = createHash("sha256").update(bytes).digest("hex");
      expect(Buffer.from(await store.getBytes(name, { expectedSha256: right })).equals(bytes)).toBe(true);
    }, 30_000);

    it("refuses a put whose bytes do not match expectedSha256", async () => {
      const wrong = createHash("sha256").update("not it").digest("hex");
      await expect(
        store.put("bad.bin", new Uint8Array([1, 2, 3]), { expectedSha256: wrong }),
      ).rejects.toThrow(ChecksumMismatchError);
      await expect(
        store.put("bad-stream.bin", Readable.from([Buffer.from([1, 2, 3])]), { expectedSha256: wrong }),
      ).rejects.toThrow(ChecksumMismatchError);
      expect(await store.info("bad.bin")).toBeUndefined();
      expect(await store.info("bad-stream.bin")).toBeUndefined();
    });

    it("lists, overwrites, deletes, and reports missing objects as NotFoundError", async () => {
      const bucket = await bus.objects(uniqueName(harness, "listing"));
      try {
        await bucket.put("b", Buffer.from("bee"));
        await bucket.put("a", Buffer.from("ay"));
        await bucket.put("a", Buffer.from("ay, again"));
        expect((await bucket.list()).map((i) => [i.name, i.size])).toEqual([
          ["a", 9],
          ["b", 3],
        ]);
        expect(Buffer.from(await bucket.getBytes("a")).toString()).toBe("ay, again");
        // sha256("bee") computed independently with `printf bee | sha256sum`.
        expect((await bucket.info("b"))?.sha256).toBe(
          "62cb81b5904a262ffaeed02abef36bfc540b09f964b8b0b636662f77ffce6714",
        );
        expect(await bucket.delete("b")).toBe(true);
        expect(await bucket.delete("b")).toBe(false);
        await expect(bucket.get("b")).rejects.toThrow(NotFoundError);
        expect((await bucket.list()).map((i) => i.name)).toEqual(["a"]);
      } finally {
        await bucket.destroy();
      }
    });
  });
}
