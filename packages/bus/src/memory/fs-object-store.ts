/**
 * Artifact store on a local directory (embedded mode). Layout under <dir>/<bucket>/:
 *   meta/<sha256(name)>.json  {name, size, sha256, modified, description, metadata, blob}
 *   blobs/<uuid>              content, never modified after it is renamed into place
 *   tmp/                      writes in progress
 * A put streams into tmp/ while hashing, fsyncs, renames the blob into blobs/, then atomically
 * replaces the meta file (temp + rename): readers see the old object or the new one, never a torn
 * mix, and a crash leaves at worst an orphan in tmp/ or blobs/. A failed put (including a checksum
 * mismatch against `expectedSha256`) leaves the previous version in place. Meta files are named by a
 * hash of the object name so any name (slashes, long names) maps to a safe file name.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { NotFoundError } from "@ferret/errors";
import { checkObjectName } from "../names.js";
import type { ObjectDownload, ObjectInfo, ObjectSource, ObjectStore, PutObjectOptions } from "../types.js";
import {
  HashingTap,
  checksumMismatch,
  chunksOf,
  normalizeSha256,
  readAll,
  verifyingReadable,
} from "../object/checksum.js";

interface MetaFile {
  name: string;
  size: number;
  sha256: string;
  modified: string;
  description?: string;
  metadata: Record<string, string>;
  blob: string;
}

export class FsObjectStore implements ObjectStore {
  private readonly root: string;

  private constructor(
    readonly bucket: string,
    dir: string,
  ) {
    this.root = join(dir, bucket);
  }

  static async open(bucket: string, dir: string): Promise<FsObjectStore> {
    const store = new FsObjectStore(bucket, dir);
    await Promise.all(["meta", "blobs", "tmp"].map((d) => mkdir(join(store.root, d), { recursive: true })));
    return store;
  }

  async put(name: string, source: ObjectSource, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    checkObjectName(name);
    const expected =
      options.expectedSha256 === undefined ? undefined : normalizeSha256(options.expectedSha256);
    const blob = randomUUID();
    const tmpBlob = join(this.root, "tmp", blob);
    const tap = new HashingTap();
    try {
      const fh = await open(tmpBlob, "wx");
      try {
        for await (const chunk of tap.tap(chunksOf(source))) await fh.write(chunk);
        await fh.sync();
      } finally {
        await fh.close();
      }
      const sha256 = tap.sha256();
      if (expected !== undefined && sha256 !== expected) throw checksumMismatch(name, expected, sha256);
      await rename(tmpBlob, join(this.root, "blobs", blob));
    } catch (err) {
      await rm(tmpBlob, { force: true });
      throw err;
    }
    const previous = await this.readMeta(name);
    const meta: MetaFile = {
      name,
      size: tap.size,
      sha256: tap.sha256(),
      modified: new Date().toISOString(),
      metadata: { ...options.metadata },
      blob,
      ...(options.description === undefined ? {} : { description: options.description }),
    };
    const tmpMeta = join(this.root, "tmp", `${blob}.json`);
    await writeFileSynced(tmpMeta, JSON.stringify(meta));
    await rename(tmpMeta, this.metaPath(name));
    if (previous !== undefined && previous.blob !== blob)
      await rm(this.blobPath(previous.blob), { force: true });
    return this.toInfo(meta);
  }

  async get(name: string, options: { expectedSha256?: string } = {}): Promise<ObjectDownload> {
    const meta = await this.readMeta(name);
    if (meta === undefined) throw new NotFoundError(`object ${this.bucket}/${name} not found`);
    const expected =
      options.expectedSha256 === undefined ? meta.sha256 : normalizeSha256(options.expectedSha256);
    // Opened now, so a concurrent overwrite that unlinks the blob cannot break this read.
    const fh = await open(this.blobPath(meta.blob), "r");
    const source = createReadStream("", { fd: fh, highWaterMark: 1 << 20 });
    return { info: this.toInfo(meta), stream: verifyingReadable(source, expected, `${this.bucket}/${name}`) };
  }

  async getBytes(name: string, options: { expectedSha256?: string } = {}): Promise<Uint8Array> {
    const { stream } = await this.get(name, options);
    return readAll(stream);
  }

  async info(name: string): Promise<ObjectInfo | undefined> {
    const meta = await this.readMeta(name);
    return meta === undefined ? undefined : this.toInfo(meta);
  }

  async list(): Promise<ObjectInfo[]> {
    const files = await readdir(join(this.root, "meta"));
    const metas = await Promise.all(
      files.filter((f) => f.endsWith(".json")).map((f) => readJson(join(this.root, "meta", f))),
    );
    return metas
      .filter((m): m is MetaFile => m !== undefined)
      .map((m) => this.toInfo(m))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async delete(name: string): Promise<boolean> {
    const meta = await this.readMeta(name);
    if (meta === undefined) return false;
    await rm(this.metaPath(name), { force: true });
    await rm(this.blobPath(meta.blob), { force: true });
    return true;
  }

  async destroy(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private metaPath(name: string): string {
    return join(this.root, "meta", `${createHash("sha256").update(name).digest("hex")}.json`);
  }

  private blobPath(blob: string): string {
    return join(this.root, "blobs", blob);
  }

  private readMeta(name: string): Promise<MetaFile | undefined> {
    checkObjectName(name);
    return readJson(this.metaPath(name));
  }

  private toInfo(meta: MetaFile): ObjectInfo {
    return {
      bucket: this.bucket,
      name: meta.name,
      size: meta.size,
      sha256: meta.sha256,
      modified: new Date(meta.modified),
      metadata: { ...meta.metadata },
      ...(meta.description === undefined ? {} : { description: meta.description }),
    };
  }
}

async function readJson(path: string): Promise<MetaFile | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as MetaFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

async function writeFileSynced(path: string, text: string): Promise<void> {
  const fh = await open(path, "wx");
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
