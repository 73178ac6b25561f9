/**
 * A dense index as an artifact: each file of the index directory is one object, and a JSON bundle object
 * names them with their sha256 (the ArtifactRef callers get is the bundle's). Fetching writes each file
 * atomically and the manifest last, after a marker naming the bundle, so a directory with a manifest always
 * holds one complete index, and a directory whose marker names a bundle holds exactly that bundle's files.
 */
import { createReadStream } from "node:fs";
import { readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Bus, ObjectStore } from "@ferret/bus";
import { replaceFileAtomically, writeDataAtomically } from "@ferret/datasets";
import { ChecksumMismatchError, InputError, InvalidArgumentError, NotFoundError } from "@ferret/errors";
import type { ArtifactRef } from "@ferret/proto";
import { z } from "zod";
import { EXACT_VECTORS_FILE, IDS_FILE } from "../vector-index/exact-index.js";
import { HNSW_FILE } from "../vector-index/hnsw-index.js";
import { MANIFEST_FILE, readIndexManifest, type IndexManifest } from "../vector-index/index-store.js";
import { artifactLabel } from "./corpus-artifact.js";

export const BUNDLE_MEDIA_TYPE = "application/vnd.ferret.dense-index+json";
/** Written into a fetched index directory before its manifest: which bundle the files came from. */
export const ARTIFACT_MARKER_FILE = "artifact.json";
/** The files an index directory may hold, in upload order (the manifest last). */
const INDEX_FILES = [IDS_FILE, EXACT_VECTORS_FILE, HNSW_FILE, MANIFEST_FILE] as const;

const bundleSchema = z.object({
  formatVersion: z.literal(1),
  kind: z.literal("ferret.dense-index"),
  index: z.string(),
  jobId: z.string(),
  files: z
    .array(
      z.object({
        file: z.enum(INDEX_FILES),
        object: z.string().min(1),
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        size: z.number().int().min(0),
      }),
    )
    .min(2),
});
export type IndexBundle = z.infer<typeof bundleSchema>;

export interface PublishedIndex {
  manifest: IndexManifest;
  bundle: ArtifactRef;
  files: ArtifactRef[];
}

const mediaType = (file: string): string =>
  file.endsWith(".json") ? "application/json" : "application/octet-stream";

/**
 * Uploads the index in `dir` under `<prefix>/<file>` and its bundle as `<prefix>/bundle.json`. Calls
 * `working` after each object (long uploads of large indexes keep their work-queue delivery alive).
 */
export async function publishIndexDir(
  store: ObjectStore,
  dir: string,
  prefix: string,
  meta: { index: string; jobId: string },
  working: () => void = () => undefined,
): Promise<PublishedIndex> {
  const manifest = await readIndexManifest(dir);
  const files: ArtifactRef[] = [];
  const entries: IndexBundle["files"] = [];
  for (const file of INDEX_FILES) {
    const exists = await stat(join(dir, file)).then(
      () => true,
      () => false,
    );
    if (!exists) continue;
    const object = `${prefix}/${file}`;
    const info = await store.put(object, createReadStream(join(dir, file)), {
      metadata: { index: meta.index, job: meta.jobId },
    });
    files.push({
      bucket: store.bucket,
      name: object,
      sha256: info.sha256,
      size: info.size,
      mediaType: mediaType(file),
    });
    entries.push({ file, object, sha256: info.sha256, size: info.size });
    working();
  }
  const bundle: IndexBundle = {
    formatVersion: 1,
    kind: "ferret.dense-index",
    index: meta.index,
    jobId: meta.jobId,
    files: entries,
  };
  const name = `${prefix}/bundle.json`;
  const info = await store.put(name, new TextEncoder().encode(JSON.stringify(bundle, null, 2) + "\n"), {
    metadata: { index: meta.index, job: meta.jobId },
  });
  return {
    manifest,
    bundle: {
      bucket: store.bucket,
      name,
      sha256: info.sha256,
      size: info.size,
      mediaType: BUNDLE_MEDIA_TYPE,
    },
    files,
  };
}

/** Reads and checks a bundle; NotFoundError / ChecksumMismatchError / InputError name the ref. */
export async function readIndexBundle(
  bus: Pick<Bus, "objects">,
  ref: ArtifactRef,
): Promise<{ store: ObjectStore; bundle: IndexBundle; sha256: string }> {
  if (ref.bucket === "" || ref.name === "") {
    throw new InvalidArgumentError("index artifact: bucket and name are both required");
  }
  const label = artifactLabel("index", ref);
  const store = await bus.objects(ref.bucket);
  const info = await store.info(ref.name);
  if (info === undefined) throw new NotFoundError(`${label} not found`, { details: { ...ref } });
  const sha256 = ref.sha256 === "" ? info.sha256 : ref.sha256.toLowerCase();
  let bytes: Uint8Array;
  try {
    bytes = await store.getBytes(ref.name, { expectedSha256: sha256 });
  } catch (err) {
    if (err instanceof ChecksumMismatchError) {
      throw new ChecksumMismatchError(`${label} is corrupt: ${err.message}`, { cause: err });
    }
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new InputError({ file: label }, `not JSON (${(err as Error).message})`, { cause: err });
  }
  const parsed = bundleSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(
      { file: label, field: issue.path.map(String).join(".") || undefined },
      `not a dense index bundle: ${issue.message}`,
    );
  }
  if (!parsed.data.files.some((f) => f.file === MANIFEST_FILE)) {
    throw new InputError({ file: label, field: "files" }, `names no ${MANIFEST_FILE}`);
  }
  return { store, bundle: parsed.data, sha256 };
}

/** The bundle sha256 a directory's marker names, if any. */
export async function fetchedBundle(dir: string): Promise<string | undefined> {
  try {
    const marker = JSON.parse(await readFile(join(dir, ARTIFACT_MARKER_FILE), "utf8")) as { sha256?: string };
    await stat(join(dir, MANIFEST_FILE));
    return marker.sha256;
  } catch {
    return undefined;
  }
}

/**
 * Writes the index `ref` names into `dir` (files atomically, marker, then the manifest). The manifest is
 * removed first, so a reader never takes a half-replaced directory for an index.
 */
export async function fetchIndexBundle(
  bus: Pick<Bus, "objects">,
  ref: ArtifactRef,
  dir: string,
  signal?: AbortSignal,
): Promise<void> {
  const { store, bundle, sha256 } = await readIndexBundle(bus, ref);
  const label = artifactLabel("index", ref);
  await rm(join(dir, MANIFEST_FILE), { force: true });
  await rm(join(dir, ARTIFACT_MARKER_FILE), { force: true });
  const ordered = [
    ...bundle.files.filter((f) => f.file !== MANIFEST_FILE),
    ...bundle.files.filter((f) => f.file === MANIFEST_FILE),
  ];
  for (const f of ordered) {
    if (f.file === MANIFEST_FILE) {
      await writeDataAtomically(
        join(dir, ARTIFACT_MARKER_FILE),
        JSON.stringify({ bucket: ref.bucket, name: ref.name, sha256 }) + "\n",
      );
    }
    signal?.throwIfAborted();
    try {
      await replaceFileAtomically(join(dir, f.file), async (handle) => {
        const download = await store.get(f.object, { expectedSha256: f.sha256 });
        for await (const chunk of download.stream) await handle.write(chunk as Uint8Array);
      });
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`${label}: its file ${f.object} is missing`, { cause: err });
      }
      if (err instanceof ChecksumMismatchError) {
        throw new ChecksumMismatchError(`${label}: its file ${f.object} is corrupt: ${err.message}`, {
          cause: err,
        });
      }
      throw err;
    }
  }
}
