import { isAbsolute, join, normalize, sep } from "node:path";

/**
 * The path that `parts` (joined) name under `root`, or undefined when it is not strictly below the root:
 * empty, the root itself, an absolute part, or climbing out with "..". The one check services use for paths
 * a request names (corpora, BM25 indexes, artifact files), so a caller cannot reach files of the server
 * outside the configured root. It reads the path's text only: a symbolic link under the root is followed,
 * as whoever put it there meant.
 */
export function pathUnderRoot(root: string, ...parts: string[]): string | undefined {
  if (parts.some((part) => isAbsolute(part))) return undefined;
  const clean = normalize(join(...parts));
  if (clean === "." || clean === ".." || clean.startsWith(`..${sep}`)) return undefined;
  return join(root, clean);
}
