/**
 * Published indexes and the index cache on the in-process bus (its real on-disk object store): a saved index
 * is published as a bundle, downloaded once into `<root>/<sha256>` and reused; a file corrupted in the store
 * (bytes flipped on disk) fails the download with an error naming the ref and the file, and leaves neither the
 * cache directory nor a temporary one behind. A corpus artifact that is gzip in name only fails as bad input.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createBus, type Bus } from "@ferret/bus";
import { ChecksumMismatchError, InputError } from "@ferret/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExactIndex } from "../vector-index/exact-index.js";
import { saveDenseIndex } from "../vector-index/index-store.js";
import { openCorpusArtifact } from "./corpus-artifact.js";
import { publishIndexDir } from "./index-bundle.js";
import { IndexArtifactCache } from "./index-cache.js";

let dir: string;
let bus: Bus;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-encoder-cache-"));
  bus = await createBus({ kind: "memory", dir: join(dir, "artifacts") });
});
afterAll(async () => {
  await bus?.close({ graceMs: 0 });
  await rm(dir, { recursive: true, force: true });
});

/** The blob file of object `name` in the in-process bus's on-disk store (its meta file names it). */
async function blobOf(name: string): Promise<string> {
  const root = join(dir, "artifacts");
  for (const entry of await readdir(root, { recursive: true })) {
    if (!entry.endsWith(".json") || !entry.includes("meta")) continue;
    const meta = JSON.parse(await readFile(join(root, entry), "utf8")) as { name?: string; blob?: string };
    if (meta.name === name && meta.blob !== undefined)
      return join(root, entry, "..", "..", "blobs", meta.blob);
  }
  throw new Error(`no stored object ${name}`);
}

describe("published indexes", () => {
  it("are downloaded once into the cache, and a corrupted file leaves nothing behind", async () => {
    const index = new ExactIndex(2);
    index.add(["a", "b", "c"], new Float32Array([1, 0, 0, 1, 0.6, 0.8]));
    const src = join(dir, "src");
    await index.save(src);
    await saveDenseIndex(src, index, { modelFingerprint: "f".repeat(64), modelName: "m" });
    const store = await bus.objects("indexes");
    const published = await publishIndexDir(store, src, "docs/ffff/job-1/a1", {
      index: "docs",
      jobId: "job-1",
    });
    expect(published.files.map((f) => f.name)).toEqual([
      "docs/ffff/job-1/a1/ids.json",
      "docs/ffff/job-1/a1/vectors.f32",
      "docs/ffff/job-1/a1/manifest.json",
    ]);
    expect(published.manifest).toMatchObject({ size: 3, dimension: 2 });

    const cache = new IndexArtifactCache(join(dir, "cache"), bus);
    const [one, two] = await Promise.all([cache.get(published.bundle), cache.get(published.bundle)]);
    expect(one).toEqual({
      dir: join(dir, "cache", published.bundle.sha256),
      sha256: published.bundle.sha256,
      downloaded: true,
    });
    expect(two).toEqual(one); // the concurrent call shared the one download
    expect(await readFile(join(one.dir, "ids.json"), "utf8")).toBe(
      await readFile(join(src, "ids.json"), "utf8"),
    );
    expect(await readFile(join(one.dir, "vectors.f32"))).toEqual(await readFile(join(src, "vectors.f32")));
    expect((await cache.get(published.bundle)).downloaded).toBe(false);

    const blob = await blobOf("docs/ffff/job-1/a1/vectors.f32");
    const bytes = await readFile(blob);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(blob, bytes);
    const fresh = new IndexArtifactCache(join(dir, "cache2"), bus);
    const err = await fresh.get(published.bundle).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect((err as Error).message).toContain(
      `index artifact indexes/${published.bundle.name}: its file docs/ffff/job-1/a1/vectors.f32 is corrupt`,
    );
    expect(await readdir(join(dir, "cache2"))).toEqual([]);
  });
});

describe("corpus artifacts", () => {
  it("stream plain JSONL, and a truncated gzip fails as bad input naming the ref", async () => {
    const store = await bus.objects("corpora");
    const jsonl = '{"_id": "d1", "title": "T", "text": "one"}\n{"_id": 2, "text": "two"}\n';
    await store.put("plain.jsonl", new TextEncoder().encode(jsonl));
    const plain = await openCorpusArtifact(bus, {
      bucket: "corpora",
      name: "plain.jsonl",
      sha256: "",
      size: 0,
      mediaType: "",
    });
    const docs = [];
    for await (const d of plain.documents) docs.push(d);
    expect(docs).toEqual([
      { id: "d1", title: "T", text: "one" },
      { id: "2", title: "", text: "two" },
    ]);

    const gz = gzipSync(Buffer.from(jsonl.repeat(50)));
    await store.put("cut.jsonl.gz", gz.subarray(0, gz.length - 12));
    const cut = await openCorpusArtifact(bus, {
      bucket: "corpora",
      name: "cut.jsonl.gz",
      sha256: "",
      size: 0,
      mediaType: "",
    });
    const err = await (async () => {
      for await (const _ of cut.documents) void _;
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      /^corpus artifact corpora\/cut\.jsonl\.gz: not a valid gzip stream/,
    );
  });
});
