/**
 * Directory artifacts on the in-process store: a round trip of nested files, a second fetch that finds the
 * copy in place, a replaced version, and a corrupt or missing file that leaves the target as it was.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChecksumMismatchError, InputError, NotFoundError } from "@ferret/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBus } from "../create-bus.js";
import type { Bus, ObjectStore } from "../types.js";
import {
  DIRECTORY_MARKER_FILE,
  fetchedDirectoryBundle,
  getDirectory,
  putDirectory,
} from "./directory-artifact.js";

let dir: string;
let bus: Bus;
let store: ObjectStore;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ferret-dir-artifact-"));
  bus = await createBus({ kind: "memory", dir: join(dir, "bus") });
  store = await bus.objects("models");
});
afterAll(async () => {
  await bus.close();
  await rm(dir, { recursive: true, force: true });
});

async function makeDir(name: string, files: Record<string, string>): Promise<string> {
  const root = join(dir, name);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

async function contents(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name === DIRECTORY_MARKER_FILE) continue;
    const path = join(e.parentPath, e.name);
    out[path.slice(root.length + 1)] = await readFile(path, "utf8");
  }
  return out;
}

describe("directory artifacts", () => {
  it("round-trips nested files, and a second fetch finds the copy in place", async () => {
    const files = { "ferret.json": "{}\n", "model.onnx": "weights-1", "sub/dir/x.txt": "x" };
    const src = await makeDir("src-1", files);
    const info = await putDirectory(store, src, "m/v1", { contents: "test.dir", metadata: { job: "j1" } });
    expect(info.name).toBe("m/v1/bundle.json");
    const target = join(dir, "models", "m");
    const first = await getDirectory(store, info.name, target, {
      expectedSha256: info.sha256,
      contents: "test.dir",
    });
    expect(first.downloaded).toBe(true);
    expect(first.bundle.files.map((f) => f.path)).toEqual(["ferret.json", "model.onnx", "sub/dir/x.txt"]);
    expect(await contents(target)).toEqual(files);
    expect(await fetchedDirectoryBundle(target)).toBe(info.sha256);
    const again = await getDirectory(store, info.name, target);
    expect(again.downloaded).toBe(false);
    // nothing but the target is left beside it
    expect(await readdir(join(dir, "models"))).toEqual(["m"]);
  });

  it("replaces an older version whole", async () => {
    const src = await makeDir("src-2", { "ferret.json": "{}\n", "model.onnx": "weights-2" });
    const info = await putDirectory(store, src, "m/v2", { contents: "test.dir" });
    const target = join(dir, "models", "m");
    expect((await getDirectory(store, info.name, target)).downloaded).toBe(true);
    expect(await contents(target)).toEqual({ "ferret.json": "{}\n", "model.onnx": "weights-2" });
    expect(await readdir(join(dir, "models"))).toEqual(["m"]);
  });

  it("leaves the target as it was when a file is corrupt or missing, or the bundle is another kind", async () => {
    const src = await makeDir("src-3", { "ferret.json": "{}\n", "model.onnx": "weights-3" });
    const info = await putDirectory(store, src, "m/v3", { contents: "test.dir" });
    const target = join(dir, "models", "m");
    const before = await contents(target);
    await store.put("m/v3/files/model.onnx", new TextEncoder().encode("tampered"));
    await expect(getDirectory(store, info.name, target)).rejects.toThrow(ChecksumMismatchError);
    await expect(getDirectory(store, info.name, target)).rejects.toThrow(
      /m\/v3\/files\/model\.onnx is corrupt/,
    );
    await store.delete("m/v3/files/model.onnx");
    await expect(getDirectory(store, info.name, target)).rejects.toThrow(NotFoundError);
    await expect(getDirectory(store, info.name, target, { contents: "other" })).rejects.toThrow(InputError);
    await expect(getDirectory(store, info.name, target, { expectedSha256: "0".repeat(64) })).rejects.toThrow(
      ChecksumMismatchError,
    );
    await expect(getDirectory(store, "m/none/bundle.json", target)).rejects.toThrow(NotFoundError);
    expect(await contents(target)).toEqual(before);
    expect(await readdir(join(dir, "models"))).toEqual(["m"]);
  });

  it("refuses a bundle whose paths leave the directory", async () => {
    const bundle = {
      formatVersion: 1,
      kind: "ferret.directory",
      contents: "test.dir",
      metadata: {},
      files: [{ path: "../escape", object: "x", sha256: "0".repeat(64), size: 1 }],
    };
    const info = await store.put("evil/bundle.json", new TextEncoder().encode(JSON.stringify(bundle)));
    await expect(getDirectory(store, info.name, join(dir, "models", "evil"))).rejects.toThrow(
      /files\.0\.path/,
    );
  });
});
