import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError, InputError } from "@ferret/errors";
import { afterAll, describe, expect, it } from "vitest";
import { ExactIndex } from "./exact-index.js";
import { HnswIndex } from "./hnsw-index.js";
import { loadDenseIndex, saveDenseIndex } from "./index-store.js";

const FP_A = "a".repeat(64);
const FP_B = "b".repeat(64);
const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "ferret-index-store-"));
  temps.push(d);
  return d;
}

const vectors = new Float32Array([1, 0, 0, 1, 0.6, 0.8]);
const ids = ["x", "y", "z"];

describe("dense index store", () => {
  for (const make of [() => new ExactIndex(2), () => new HnswIndex(2, { threads: 1 })]) {
    it(`round-trips a ${make().kind} index with its manifest`, async () => {
      const dir = await tmp();
      const index = make();
      index.add(ids, vectors);
      const saved = await saveDenseIndex(dir, index, {
        modelFingerprint: FP_A,
        modelName: "tiny",
        collection: "c",
      });
      const { index: loaded, manifest } = await loadDenseIndex(dir, { expectFingerprint: FP_A });
      expect(manifest).toEqual(saved);
      expect(manifest).toMatchObject({ kind: index.kind, dimension: 2, size: 3, modelName: "tiny" });
      // q = (0.8, 0.6): x 0.8, y 0.6, z 0.96
      expect(loaded.search(new Float32Array([0.8, 0.6]), 3)[0]!.map((h) => h.id)).toEqual(["z", "x", "y"]);
    });
  }

  it("refuses an index built by another model, and a damaged manifest with its field", async () => {
    const dir = await tmp();
    const index = new ExactIndex(2);
    index.add(ids, vectors);
    await saveDenseIndex(dir, index, { modelFingerprint: FP_A, modelName: "tiny" });
    const err = await loadDenseIndex(dir, { expectFingerprint: FP_B }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toContain("re-index");

    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Record<
      string,
      unknown
    >;
    await writeFile(join(dir, "manifest.json"), JSON.stringify({ ...manifest, size: 4 }));
    const sizeErr = await loadDenseIndex(dir).catch((e: unknown) => e);
    expect(sizeErr).toBeInstanceOf(InputError);
    expect((sizeErr as InputError).field).toBe("size");
    await writeFile(join(dir, "manifest.json"), JSON.stringify({ ...manifest, kind: "ivf" }));
    expect(((await loadDenseIndex(dir).catch((e: unknown) => e)) as InputError).field).toBe("kind");
  });

  it("reports a directory without a manifest", async () => {
    const err = await loadDenseIndex(await tmp()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain("manifest.json");
  });
});
