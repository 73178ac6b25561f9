/**
 * SHA-256 on the way in and on the way out of an object store. The reader re-hashes exactly the
 * bytes it hands to the caller and fails the stream at the end on a mismatch, so corruption anywhere
 * (disk, server, client library) surfaces as ChecksumMismatchError and not as a bad model file.
 */
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { ChecksumMismatchError, InvalidArgumentError } from "@ferret/errors";
import type { ObjectSource } from "../types.js";

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export const SHA256_METADATA_KEY = "ferret-sha256";

export function normalizeSha256(sha: string): string {
  const lower = sha.toLowerCase();
  if (!HEX_SHA256.test(lower)) throw new InvalidArgumentError(`not a hex SHA-256: ${JSON.stringify(sha)}`);
  return lower;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export function checksumMismatch(label: string, expected: string, actual: string): ChecksumMismatchError {
  return new ChecksumMismatchError(`${label}: SHA-256 is ${actual}, expected ${expected}`, {
    details: { object: label, expected, actual },
  });
}

/** Any ObjectSource as an async iterable of chunks. */
export async function* chunksOf(source: ObjectSource): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (Symbol.asyncIterator in source) {
    yield* source as AsyncIterable<Uint8Array>;
    return;
  }
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Hashes what passes through; read `sha256()` and `size` after the iterable is exhausted. */
export class HashingTap {
  private readonly hash = createHash("sha256");
  size = 0;
  private digest: string | undefined;

  async *tap(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      this.hash.update(chunk);
      this.size += chunk.byteLength;
      yield chunk;
    }
  }

  sha256(): string {
    this.digest ??= this.hash.digest("hex");
    return this.digest;
  }
}

/**
 * A Node Readable over `source` that errors with ChecksumMismatchError after the last chunk if the
 * content does not hash to `expectedSha256`. `mapError` turns source errors into Ferret errors.
 */
export function verifyingReadable(
  source: AsyncIterable<Uint8Array>,
  expectedSha256: string,
  label: string,
  mapError: (err: unknown) => unknown = (err) => err,
): Readable {
  const tap = new HashingTap();
  async function* verified(): AsyncGenerator<Uint8Array> {
    try {
      yield* tap.tap(source);
    } catch (err) {
      throw mapError(err);
    }
    const actual = tap.sha256();
    if (actual !== expectedSha256) throw checksumMismatch(label, expectedSha256, actual);
  }
  return Readable.from(verified(), { objectMode: false });
}

export async function readAll(stream: Readable): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}
