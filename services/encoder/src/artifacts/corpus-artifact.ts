/**
 * A BEIR corpus.jsonl (plain or gzip) in the artifact store, read as a stream of documents: the download is
 * parsed as it arrives (never held whole, never written to disk) and fails at its end when its bytes do not
 * hash to the expected sha256 (the ref's, else the one the store recorded), so a caller must not act on the
 * documents until iteration ends cleanly. Errors name the ref ("corpus artifact <bucket>/<name>").
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type { Bus } from "@ferret/bus";
import { readBeirCorpusFrom, type DocumentRecord, type RecordStream } from "@ferret/datasets";
import {
  ChecksumMismatchError,
  InputError,
  InvalidArgumentError,
  NotFoundError,
  isFerretError,
} from "@ferret/errors";
import type { ArtifactRef } from "@ferret/proto";

export interface CorpusArtifact {
  label: string;
  /** The content's sha256 (verified while streaming). */
  sha256: string;
  documents: RecordStream<DocumentRecord>;
}

export function artifactLabel(kind: string, ref: Pick<ArtifactRef, "bucket" | "name">): string {
  return `${kind} artifact ${ref.bucket}/${ref.name}`;
}

const isGzip = (head: Uint8Array): boolean => head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;

/** The bytes of `source`, gunzipped when they start with the gzip magic number. */
async function* maybeGunzip(source: AsyncIterable<Uint8Array>, label: string): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done === true) return;
  const head = first.value;
  async function* all(): AsyncGenerator<Uint8Array> {
    yield head;
    for (let next = await it.next(); next.done !== true; next = await it.next()) yield next.value;
  }
  if (!isGzip(head)) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  // pipeline destroys gunzip with the source's error (e.g. a checksum failure), which ends the loop below
  const piped = pipeline(Readable.from(all()), gunzip);
  piped.catch(() => undefined);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
    await piped;
  } catch (err) {
    if (isFerretError(err)) throw err;
    throw new InputError({ file: label }, `not a valid gzip stream (${(err as Error).message})`, {
      cause: err,
    });
  }
}

export async function openCorpusArtifact(
  bus: Pick<Bus, "objects">,
  ref: ArtifactRef,
): Promise<CorpusArtifact> {
  if (ref.bucket === "" || ref.name === "") {
    throw new InvalidArgumentError("corpus artifact: bucket and name are both required");
  }
  const label = artifactLabel("corpus", ref);
  const store = await bus.objects(ref.bucket);
  const info = await store.info(ref.name);
  if (info === undefined) throw new NotFoundError(`${label} not found`, { details: { ...ref } });
  if (ref.sha256 !== "" && ref.sha256.toLowerCase() !== info.sha256) {
    throw new ChecksumMismatchError(
      `${label}: the store records SHA-256 ${info.sha256}, the ref asks for ${ref.sha256}`,
      { details: { object: label, expected: ref.sha256, actual: info.sha256 } },
    );
  }
  const sha256 = info.sha256;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    let download;
    try {
      download = await store.get(ref.name, { expectedSha256: sha256 });
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`${label} not found`, { cause: err });
      throw err;
    }
    try {
      yield* maybeGunzip(download.stream as AsyncIterable<Uint8Array>, label);
    } catch (err) {
      if (err instanceof ChecksumMismatchError) {
        throw new ChecksumMismatchError(`${label} is corrupt: ${err.message}`, {
          cause: err,
          details: err.details,
        });
      }
      throw err;
    }
  }
  return { label, sha256, documents: readBeirCorpusFrom(bytes, label) };
}
