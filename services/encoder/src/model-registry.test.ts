import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "@ferret/errors";
import { FIXTURE_MODELS } from "@ferret/inference/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BiEncoderCache, listModels } from "./model-registry.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "ferret-models-"));
  await cp(FIXTURE_MODELS.biEncoder, join(root, "tiny"), { recursive: true });
  await cp(FIXTURE_MODELS.crossEncoder1, join(root, "ce"), { recursive: true });
  await cp(FIXTURE_MODELS.biEncoder, join(root, "broken"), { recursive: true });
  await writeFile(
    join(root, "broken", "ferret.json"),
    JSON.stringify({ formatVersion: 1, kind: "bi-encoder" }),
  );
  await mkdir(join(root, "not-a-model"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("listModels", () => {
  it("lists model dirs with their variants and reports broken ones with file and field", async () => {
    const { models, problems } = await listModels(root);
    expect(models.map((m) => [m.name, m.config.kind, m.variants])).toEqual([
      ["ce", "cross-encoder", ["fp32"]],
      ["tiny", "bi-encoder", ["fp32", "quantized"]],
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.name).toBe("broken");
    expect(problems[0]!.problem).toContain("ferret.json (field");
  });
});

describe("BiEncoderCache", () => {
  it("loads a model once per variant and refuses names outside the root", async () => {
    const cache = new BiEncoderCache(root, { intraOpNumThreads: 1 });
    const [a, b] = await Promise.all([cache.get("tiny"), cache.get("tiny")]);
    expect(a).toBe(b);
    expect(await cache.get("tiny", "quantized")).not.toBe(a);
    expect((await a.embed(["hello"]))[0]!.length).toBe(32);
    await expect(cache.get("../tiny")).rejects.toThrow(/not a directory name/);
    await expect(cache.get("broken")).rejects.toBeInstanceOf(InputError);
    await cache.close();
  });
});
