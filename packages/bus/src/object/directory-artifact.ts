/**
 * A directory as an artifact: each regular file is one object under `<prefix>/<relative path>`, and a JSON
 * bundle object (`<prefix>/bundle.json`, uploaded last) lists them with their sha256 and size. The bundle's
 * own sha256 identifies the whole directory, so a reader that fetched it once can tell that a local copy is
 * the same. Fetching downloads every file (each checksum-verified) into a temporary directory beside the
 * target and renames it into place only when complete, with a marker naming the bundle, so the target is
 * absent, the previous version, or the whole new one.
 *
 * The index bundles of the encoder have their own format (a fixed set of index files, the manifest last);
 * this one is for directories whose files are not known in advance, such as a trained model.
 */
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { randomBytes } from "node:crypto";
import { ChecksumMismatchError, InputError, NotFoundError } from "@ferret/errors";
import type { ObjectInfo, ObjectStore } from "../types.js";
import { normalizeSha256 } from "./checksum.js";

export const DIRECTORY_BUNDLE_FILE = "bundle.json";
/** Written into a fetched directory: which bundle (bucket, name, sha256) its files came from. */
export const DIRECTORY_MARKER_FILE = ".ferret-artifact.json";

export interface DirectoryBundleFile {
  /** Relative path with "/" separators. */
  path: string;
  object: string;
  sha256: string;
  size: number;
}

export interface DirectoryBundle {
  formatVersion: 1;
  kind: "ferret.directory";
  /** What the directory is (e.g. "ferret.model-dir"), checked by readers that expect one kind. */
  contents: string;
  metadata: Record<string, string>;
  files: DirectoryBundleFile[];
}

export interface PutDirectoryOptions {
  /** Stored in the bundle (`contents`). */
  contents: string;
  metadata?: Record<string, string>;
  /** Called after each object (long uploads keep a work-queue delivery alive). */
  working?: () => void;
}

/** The files under `dir`, relative, sorted; the marker of a fetched copy is left out. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .filter((p) => p !== DIRECTORY_MARKER_FILE)
    .sort();
}

/**
 * Uploads every file of `dir` under `<prefix>/`, then the bundle; returns the bundle's info. The bundle
 * is written last, so its presence means the upload is complete.
 */
export async function putDirectory(
  store: ObjectStore,
  dir: string,
  prefix: string,
  options: PutDirectoryOptions,
): Promise<ObjectInfo> {
  const metadata = options.metadata ?? {};
  const files: DirectoryBundleFile[] = [];
  for (const path of await listFiles(dir)) {
    const object = `${prefix}/files/${path}`;
    const info = await store.put(object, createReadStream(join(dir, path)), { metadata });
    files.push({ path, object, sha256: info.sha256, size: info.size });
    options.working?.();
  }
  const bundle: DirectoryBundle = {
    formatVersion: 1,
    kind: "ferret.directory",
    contents: options.contents,
    metadata,
    files,
  };
  return store.put(
    `${prefix}/${DIRECTORY_BUNDLE_FILE}`,
    new TextEncoder().encode(JSON.stringify(bundle, null, 2) + "\n"),
    { metadata },
  );
}

const SAFE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[^\0\\]+$/;

function parseBundle(bytes: Uint8Array, label: string, contents: string | undefined): DirectoryBundle {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new InputError({ file: label }, `not JSON (${(err as Error).message})`, { cause: err });
  }
  const b = raw as Partial<DirectoryBundle>;
  const bad = (field: string, problem: string): never => {
    throw new InputError({ file: label, field }, problem);
  };
  if (b.formatVersion !== 1 || b.kind !== "ferret.directory")
    bad("kind", "not a ferret.directory bundle (v1)");
  if (contents !== undefined && b.contents !== contents)
    bad("contents", `holds ${JSON.stringify(b.contents)}, expected ${JSON.stringify(contents)}`);
  if (!Array.isArray(b.files)) return bad("files", "not a list");
  for (const [i, f] of b.files.entries()) {
    if (typeof f?.path !== "string" || !SAFE_PATH.test(f.path) || f.path === DIRECTORY_MARKER_FILE)
      bad(`files.${i}.path`, `${JSON.stringify(f?.path)} is not a relative path inside the directory`);
    if (typeof f.object !== "string" || f.object === "") bad(`files.${i}.object`, "missing");
    if (typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256))
      bad(`files.${i}.sha256`, "not a sha256");
  }
  return b as DirectoryBundle;
}

/** The bundle sha256 that `dir`'s marker names, if `dir` is a fetched copy. */
export async function fetchedDirectoryBundle(dir: string): Promise<string | undefined> {
  try {
    const marker = JSON.parse(await readFile(join(dir, DIRECTORY_MARKER_FILE), "utf8")) as {
      sha256?: unknown;
    };
    return typeof marker.sha256 === "string" ? marker.sha256 : undefined;
  } catch {
    return undefined;
  }
}

export interface GetDirectoryOptions {
  /** The bundle must hash to this (e.g. the sha256 an event named); default: what the store records. */
  expectedSha256?: string;
  /** The bundle's `contents` must be this. */
  contents?: string;
  signal?: AbortSignal;
}

export interface FetchedDirectory {
  bundle: DirectoryBundle;
  sha256: string;
  /** False when `target` already held this bundle. */
  downloaded: boolean;
}

/**
 * Writes the directory the bundle `name` describes to `target`, unless `target` already holds that
 * bundle. Every file is verified against the bundle's sha256 (ChecksumMismatchError names the object);
 * a missing object is NotFoundError. On any failure `target` is left as it was.
 */
export async function getDirectory(
  store: ObjectStore,
  name: string,
  target: string,
  options: GetDirectoryOptions = {},
): Promise<FetchedDirectory> {
  const label = `${store.bucket}/${name}`;
  const info = await store.info(name);
  if (info === undefined) throw new NotFoundError(`directory artifact ${label} not found`);
  const sha256 = options.expectedSha256 === undefined ? info.sha256 : normalizeSha256(options.expectedSha256);
  const bytes = await store.getBytes(name, { expectedSha256: sha256 }).catch((err: unknown) => {
    if (err instanceof ChecksumMismatchError)
      throw new ChecksumMismatchError(`directory artifact ${label} is corrupt: ${err.message}`, {
        cause: err,
      });
    throw err;
  });
  const bundle = parseBundle(bytes, label, options.contents);
  if ((await fetchedDirectoryBundle(target)) === sha256) return { bundle, sha256, downloaded: false };

  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const tag = randomBytes(4).toString("hex");
  const tmp = join(parent, `.${sha256.slice(0, 16)}.${tag}.partial`);
  const old = join(parent, `.${sha256.slice(0, 16)}.${tag}.old`);
  try {
    for (const f of bundle.files) {
      options.signal?.throwIfAborted();
      const file = join(tmp, ...f.path.split("/"));
      await mkdir(dirname(file), { recursive: true });
      const handle = await open(file, "w");
      try {
        const download = await store.get(f.object, { expectedSha256: f.sha256 });
        for await (const chunk of download.stream) await handle.write(chunk as Uint8Array);
        await handle.sync();
      } catch (err) {
        if (err instanceof NotFoundError)
          throw new NotFoundError(`directory artifact ${label}: its file ${f.object} is missing`, {
            cause: err,
          });
        if (err instanceof ChecksumMismatchError)
          throw new ChecksumMismatchError(
            `directory artifact ${label}: its file ${f.object} is corrupt: ${err.message}`,
            {
              cause: err,
            },
          );
        throw err;
      } finally {
        await handle.close();
      }
    }
    const marker = { bucket: store.bucket, name, sha256 };
    const markerFile = await open(join(tmp, DIRECTORY_MARKER_FILE), "w");
    await markerFile.writeFile(JSON.stringify(marker) + "\n");
    await markerFile.sync();
    await markerFile.close();
    const existed = await stat(target).then(
      () => true,
      () => false,
    );
    if (existed) await rename(target, old);
    await rename(tmp, target);
    if (existed) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { bundle, sha256, downloaded: true };
}
