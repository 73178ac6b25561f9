/**
 * Where ArtifactRefs (proto/ferret/v1/common.proto) are read from: the bus object store (NATS in cluster
 * mode, the embedded store on disk in embedded mode) or plain files under a root directory. Either way the
 * artifact ends up as a local file, so runs of any size are parsed by the streaming file readers instead of
 * being held in memory as one string. A given sha256 is verified before the file is used.
 */
import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Bus } from "@ferret/bus";
import {
  ChecksumMismatchError,
  InputError,
  InvalidArgumentError,
  NotFoundError,
  isFerretError,
} from "@ferret/errors";
import type { ArtifactRef } from "@ferret/proto";
import { pathUnderRoot } from "@ferret/service";

export interface LocalArtifact {
  /** A readable local file holding the artifact's bytes. */
  readonly path: string;
  /** How error messages name the artifact: `artifact <bucket>/<name>` (never a server path). */
  readonly label: string;
  /** Deletes the file when it is a temporary copy; call it once the file has been read. */
  release(): Promise<void>;
}

export interface ArtifactFetcher {
  fetch(ref: ArtifactRef, signal?: AbortSignal): Promise<LocalArtifact>;
}

export function artifactLabel(ref: ArtifactRef): string {
  return `artifact ${ref.bucket === "" ? "" : `${ref.bucket}/`}${ref.name}`;
}

function checkRef(ref: ArtifactRef): void {
  if (ref.name === "") throw new InvalidArgumentError("artifact reference without a name");
}

/** Artifacts in the bus object store, downloaded (and checksum-verified) into a temporary file. */
export function objectStoreArtifacts(
  bus: Pick<Bus, "objects">,
  options: { tmpDir?: string } = {},
): ArtifactFetcher {
  return {
    async fetch(ref, signal) {
      checkRef(ref);
      if (ref.bucket === "") throw new InvalidArgumentError(`${artifactLabel(ref)}: no bucket given`);
      const store = await bus.objects(ref.bucket);
      const download = await store.get(ref.name, ref.sha256 === "" ? {} : { expectedSha256: ref.sha256 });
      const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), "ferret-artifact-"));
      const path = join(dir, randomUUID());
      const release = () => rm(dir, { recursive: true, force: true });
      try {
        // The download stream fails at its end when the bytes do not match the recorded or expected digest.
        await pipeline(download.stream, createWriteStream(path), signal === undefined ? {} : { signal });
      } catch (err) {
        await release();
        throw err;
      }
      return { path, label: artifactLabel(ref), release };
    },
  };
}

async function sha256OfFile(path: string, signal: AbortSignal | undefined): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash, signal === undefined ? {} : { signal });
  return hash.digest("hex");
}

/**
 * Plain files at `<root>/<bucket>/<name>` (bucket may be empty). Names that would leave the root ("..",
 * absolute paths) are refused, so a caller cannot read arbitrary files of the server.
 */
export function directoryArtifacts(root: string): ArtifactFetcher {
  const base = resolve(root);
  return {
    async fetch(ref, signal) {
      checkRef(ref);
      const label = artifactLabel(ref);
      const path = pathUnderRoot(base, ref.bucket, ref.name);
      if (path === undefined) throw new InvalidArgumentError(`${label}: outside the artifact directory`);
      try {
        if (!(await stat(path)).isFile()) throw new NotFoundError(`${label} not found`);
      } catch (err) {
        if (isFerretError(err)) throw err;
        throw new NotFoundError(`${label} not found`, {
          cause: err,
          details: { bucket: ref.bucket, name: ref.name },
        });
      }
      if (ref.sha256 !== "") {
        const actual = await sha256OfFile(path, signal);
        if (actual !== ref.sha256.toLowerCase()) {
          throw new ChecksumMismatchError(`${label}: sha256 is ${actual}, expected ${ref.sha256}`, {
            details: { bucket: ref.bucket, name: ref.name, expected: ref.sha256, actual },
          });
        }
      }
      return { path, label, release: () => Promise.resolve() };
    },
  };
}

/**
 * Reads a fetched artifact with `read` and releases it. InputErrors name the artifact (not the temporary
 * file) with the reader's line and field.
 */
export async function readArtifact<T>(
  fetcher: ArtifactFetcher | undefined,
  ref: ArtifactRef,
  signal: AbortSignal | undefined,
  read: (path: string) => Promise<T>,
): Promise<T> {
  if (fetcher === undefined) {
    throw new InvalidArgumentError(`${artifactLabel(ref)}: this evaluator has no artifact store configured`);
  }
  const artifact = await fetcher.fetch(ref, signal);
  try {
    return await read(artifact.path);
  } catch (err) {
    if (err instanceof InputError && err.file === artifact.path) {
      const problem = String(err.details["problem"] ?? err.message);
      throw new InputError({ file: artifact.label, line: err.line, field: err.field }, problem, {
        cause: err,
      });
    }
    throw err;
  } finally {
    await artifact.release();
  }
}
