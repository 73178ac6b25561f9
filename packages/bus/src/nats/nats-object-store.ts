/**
 * Artifacts in a NATS object store (stream OBJ_<bucket>; content split into chunks, default
 * 256 KiB, metadata in a rolled-up meta message). The client library computes and checks its own
 * SHA-256 digest; we still hash every byte ourselves with node:crypto on put and on get, record the
 * hex digest in the object's metadata ("ferret-sha256") and verify it on read, so the guarantee does
 * not rest on one library's code path and both adapters report checksums the same way.
 *
 * A put from a stream learns the digest only at the end, so it writes the content first and then
 * the metadata (a second, small meta message). An object caught between the two, or written by
 * another NATS client, is verified against the library digest (also SHA-256, base64url) instead.
 * If `expectedSha256` does not match, the new object is deleted (with any version it replaced,
 * since NATS replaces in place) and the put fails with ChecksumMismatchError.
 */
import { ChecksumMismatchError, NotFoundError } from "@ferret/errors";
import {
  Objm,
  StorageType,
  type ObjectInfo as NatsObjectInfo,
  type ObjectStore as LibObjectStore,
} from "@nats-io/obj";
import type {
  ObjectDownload,
  ObjectInfo,
  ObjectSource,
  ObjectStore,
  ObjectStoreOptions,
  PutObjectOptions,
} from "../types.js";
import {
  HashingTap,
  SHA256_METADATA_KEY,
  checksumMismatch,
  chunksOf,
  normalizeSha256,
  readAll,
  sha256Hex,
  verifyingReadable,
} from "../object/checksum.js";
import { checkObjectName } from "../names.js";
import type { NatsHandles } from "./connection.js";

const DEFAULT_CHUNK_BYTES = 256 * 1024;
const NATS_DIGEST_PREFIX = "SHA-256=";

export async function openNatsObjectStore(
  handles: NatsHandles,
  bucket: string,
  options: ObjectStoreOptions,
): Promise<ObjectStore> {
  const os = await new Objm(handles.js).create(bucket, { storage: StorageType.File });
  const maxPayload = handles.nc.info?.max_payload ?? 1024 * 1024;
  return new NatsObjectStore(bucket, os, Math.min(options.chunkSizeBytes ?? DEFAULT_CHUNK_BYTES, maxPayload));
}

class NatsObjectStore implements ObjectStore {
  constructor(
    readonly bucket: string,
    private readonly os: LibObjectStore,
    private readonly chunkBytes: number,
  ) {}

  async put(name: string, source: ObjectSource, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    checkObjectName(name);
    const expected =
      options.expectedSha256 === undefined ? undefined : normalizeSha256(options.expectedSha256);
    const meta = {
      name,
      ...(options.description === undefined ? {} : { description: options.description }),
      options: { max_chunk_size: this.chunkBytes },
    };
    if (source instanceof Uint8Array) {
      // Bytes in hand: hash first, write content and metadata in one put.
      const sha256 = sha256Hex(source);
      if (expected !== undefined && sha256 !== expected) throw checksumMismatch(name, expected, sha256);
      const info = await this.os.putBlob(
        { ...meta, metadata: { ...options.metadata, [SHA256_METADATA_KEY]: sha256 } },
        source,
      );
      return this.toInfo(info);
    }
    const tap = new HashingTap();
    const stored = await this.os.put(
      { ...meta, metadata: { ...options.metadata } },
      toWebStream(tap.tap(chunksOf(source))),
    );
    const sha256 = tap.sha256();
    const libraryDigest = natsDigestHex(stored.digest);
    if (libraryDigest !== sha256 || (expected !== undefined && sha256 !== expected)) {
      await this.os.delete(name);
      if (libraryDigest !== sha256) {
        throw new ChecksumMismatchError(
          `${this.bucket}/${name}: stored digest ${libraryDigest} differs from the bytes sent (${sha256})`,
        );
      }
      throw checksumMismatch(name, expected!, sha256);
    }
    const metadata = { ...options.metadata, [SHA256_METADATA_KEY]: sha256 };
    await this.os.update(name, { ...meta, metadata });
    // `stored` is a class instance with getters; read it through toInfo rather than spreading it.
    return { ...this.toInfo(stored), sha256, metadata: { ...options.metadata } };
  }

  async get(name: string, options: { expectedSha256?: string } = {}): Promise<ObjectDownload> {
    checkObjectName(name);
    const result = await this.os.get(name);
    if (result === null) throw new NotFoundError(`object ${this.bucket}/${name} not found`);
    const info = this.toInfo(result.info);
    const expected =
      options.expectedSha256 === undefined ? info.sha256 : normalizeSha256(options.expectedSha256);
    const label = `${this.bucket}/${name}`;
    // The library fails the stream itself when its own digest check fails; report that the same way.
    const mapError = (err: unknown) =>
      err instanceof Error && /digests do not match/.test(err.message)
        ? new ChecksumMismatchError(`${label}: ${err.message.replace(/\s+/g, " ")}`, { cause: err })
        : err;
    return { info, stream: verifyingReadable(chunksOf(result.data), expected, label, mapError) };
  }

  async getBytes(name: string, options: { expectedSha256?: string } = {}): Promise<Uint8Array> {
    const { stream } = await this.get(name, options);
    return readAll(stream);
  }

  async info(name: string): Promise<ObjectInfo | undefined> {
    checkObjectName(name);
    const info = await this.os.info(name);
    return info === null || info.deleted ? undefined : this.toInfo(info);
  }

  async list(): Promise<ObjectInfo[]> {
    const all = await this.os.list();
    return all
      .filter((i) => !i.deleted)
      .map((i) => this.toInfo(i))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async delete(name: string): Promise<boolean> {
    if ((await this.info(name)) === undefined) return false;
    await this.os.delete(name);
    return true;
  }

  async destroy(): Promise<void> {
    await this.os.destroy();
  }

  private toInfo(info: NatsObjectInfo): ObjectInfo {
    const { [SHA256_METADATA_KEY]: recorded, ...metadata } = info.metadata ?? {};
    return {
      bucket: this.bucket,
      name: info.name,
      size: info.size,
      sha256: recorded ?? natsDigestHex(info.digest),
      modified: new Date(info.mtime),
      metadata,
      ...(info.description ? { description: info.description } : {}),
    };
  }
}

/** "SHA-256=<base64url>" (older clients: standard base64) -> lower-case hex. */
function natsDigestHex(digest: string): string {
  if (!digest.startsWith(NATS_DIGEST_PREFIX)) return "";
  // Node's base64 decoder accepts both the standard and the URL-safe alphabet, padded or not.
  return Buffer.from(digest.slice(NATS_DIGEST_PREFIX.length), "base64").toString("hex");
}

/** Pull-based, so the object store reads (and we hash) no faster than it publishes chunks. */
function toWebStream(source: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await source.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      await source.return(undefined);
    },
  });
}
