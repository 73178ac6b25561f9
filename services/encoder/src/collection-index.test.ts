import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError } from "@ferret/errors";
import { BiEncoder } from "@ferret/inference";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCollectionIndex, openCollectionIndex } from "./collection-index.js";
import { denseSearch } from "./dense-retriever.js";

const docs = [
  { id: "d1", title: "Vaccines", text: "COVID-19 vaccines reduce the risk of severe disease." },
  { id: "d2", title: "Fox", text: "The quick brown fox jumps over the lazy dog." },
  { id: "d3", title: "Cancer", text: "Tumor cells grow when gene expression changes." },
];

let dir: string;
let fp32: BiEncoder;
let int8: BiEncoder;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-collection-"));
  fp32 = await BiEncoder.load(FIXTURE_MODELS.biEncoder, { intraOpNumThreads: 1 });
  int8 = await BiEncoder.load(FIXTURE_MODELS.biEncoder, { intraOpNumThreads: 1, variant: "quantized" });
});
afterAll(async () => {
  await Promise.all([fp32.close(), int8.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe("collection index", () => {
  it("builds, reopens with the same model to the same answers, and refuses another model", async () => {
    const built = await buildCollectionIndex(fp32, docs, dir, { collection: "mini", chunkSize: 2 });
    expect(built.manifest).toMatchObject({
      kind: "exact",
      size: 3,
      dimension: 32,
      modelName: "tiny-bert",
      collection: "mini",
    });
    expect(built.manifest.modelFingerprint).toBe(await fp32.fingerprint());

    const reopened = await openCollectionIndex(fp32, dir);
    const queries = [{ id: "q", text: "vaccines and disease risk" }];
    expect(await denseSearch(fp32, reopened.index, queries, 3)).toEqual(
      await denseSearch(fp32, built.index, queries, 3),
    );

    await expect(openCollectionIndex(int8, dir)).rejects.toBeInstanceOf(ConflictError);
  });
});
