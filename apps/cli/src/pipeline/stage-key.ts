/**
 * Stage keys: a stage's output is named by a hash of everything that decides it (its config, the contents
 * of the files and directories it reads, and its upstream stages' keys), so a rerun with the same inputs
 * finds the finished output and skips the stage, and any change reruns it and every stage downstream.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { canonicalJson } from "@ferret/annotator";

/** Bumped when a stage's code changes what it writes, so old outputs are not reused. */
export const STAGE_FORMAT = 1;

export interface StageKeyParts {
  stage: string;
  config: unknown;
  /** Content digests of the files and directories the stage reads (pathDigest), by a name of their role. */
  inputs: Record<string, string>;
  /** Keys of the stages whose outputs it reads. */
  upstream: Record<string, string>;
}

export function stageKey(parts: StageKeyParts): string {
  return createHash("sha256")
    .update(canonicalJson({ format: STAGE_FORMAT, ...parts }))
    .digest("hex");
}

async function hashFileInto(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/**
 * sha256 over a file's bytes, or over a directory's files (relative names and bytes, in name order),
 * so a model or dataset directory copied elsewhere keeps its digest. Memoised per path in `cache`.
 */
export async function pathDigest(path: string, cache?: Map<string, Promise<string>>): Promise<string> {
  const known = cache?.get(path);
  if (known) return known;
  const digest = (async () => {
    const hash = createHash("sha256");
    if ((await stat(path)).isDirectory()) {
      const files = (await readdir(path, { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
        .sort();
      for (const file of files) {
        hash.update(`\0${file.slice(path.length)}\0`);
        await hashFileInto(hash, file);
      }
    } else {
      await hashFileInto(hash, path);
    }
    return hash.digest("hex");
  })();
  cache?.set(path, digest);
  return digest;
}
