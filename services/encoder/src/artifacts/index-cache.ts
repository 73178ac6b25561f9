/**
 * Published indexes downloaded on demand into `<root>/<bundle sha256>/`: the download goes to a temporary
 * directory beside it and is renamed into place only when complete (every file checksum-verified), so a
 * cache directory is always a whole index; later calls (and other processes sharing the root) reuse it.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Bus } from "@ferret/bus";
import { InvalidArgumentError } from "@ferret/errors";
import type { ArtifactRef } from "@ferret/proto";
import { fetchedBundle, fetchIndexBundle, readIndexBundle } from "./index-bundle.js";

const SHA256 = /^[0-9a-fA-F]{64}$/;

export interface CachedIndex {
  dir: string;
  sha256: string;
  /** False when an earlier call had already downloaded it. */
  downloaded: boolean;
}

export class IndexArtifactCache {
  private readonly inflight = new Map<string, Promise<CachedIndex>>();

  constructor(
    readonly root: string,
    private readonly bus: Pick<Bus, "objects">,
  ) {}

  async get(ref: ArtifactRef, signal?: AbortSignal): Promise<CachedIndex> {
    // The digest names the cache directory: anything but a sha256 ("../..", a NUL) must not reach the path.
    if (ref.sha256 !== "" && !SHA256.test(ref.sha256))
      throw new InvalidArgumentError(
        `index artifact ${ref.bucket}/${ref.name}: sha256 must be 64 hex digits`,
        {
          details: { field: "sha256" },
        },
      );
    // the key is the bundle's content digest (from the ref, else what the store records for it)
    const sha256 =
      ref.sha256 !== "" ? ref.sha256.toLowerCase() : (await readIndexBundle(this.bus, ref)).sha256;
    let pending = this.inflight.get(sha256);
    if (pending === undefined) {
      pending = this.fetch({ ...ref, sha256 }, signal).finally(() => this.inflight.delete(sha256));
      this.inflight.set(sha256, pending);
    }
    return pending;
  }

  private async fetch(ref: ArtifactRef, signal: AbortSignal | undefined): Promise<CachedIndex> {
    const dir = join(this.root, ref.sha256);
    if ((await fetchedBundle(dir)) === ref.sha256) return { dir, sha256: ref.sha256, downloaded: false };
    await mkdir(this.root, { recursive: true });
    const tmp = join(this.root, `.${ref.sha256.slice(0, 16)}.${randomBytes(4).toString("hex")}.tmp`);
    try {
      await fetchIndexBundle(this.bus, ref, tmp, signal);
      await rename(tmp, dir); // only whole indexes are renamed into place, so `dir` is absent or whole
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      // another process renamed the same bundle into place first: theirs is as good as ours
      if ((await fetchedBundle(dir)) === ref.sha256) return { dir, sha256: ref.sha256, downloaded: false };
      throw err;
    }
    return { dir, sha256: ref.sha256, downloaded: true };
  }
}
