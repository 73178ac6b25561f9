import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The BUILT cli (dist/main.js, what `npx ferret` runs), run as a child process from the repository root. */
export const CLI_DIR = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
export const REPO_ROOT = resolve(CLI_DIR, "../..");
const MAIN = join(CLI_DIR, "dist", "main.js");

export interface FerretResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `timeoutMs` (default 60 s): the child is killed past it (code -1), so a hang fails the test, not stalls it.
 * `env` is added to this process's environment.
 */
export function ferret(
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<FerretResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      {
        cwd: REPO_ROOT,
        maxBuffer: 64 << 20,
        timeout: options.timeoutMs ?? 60_000,
        ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
      },
      (err, stdout, stderr) => {
        done({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, stdout, stderr });
      },
    );
  });
}
