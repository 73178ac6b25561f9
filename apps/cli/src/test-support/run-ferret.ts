/** Runs the BUILT cli (dist/main.js) in a child process, from the repository root. */
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI_DIR = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
export const REPO_ROOT = resolve(CLI_DIR, "../..");
const MAIN = join(CLI_DIR, "dist", "main.js");

export interface FerretResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `timeoutMs`: the child is killed past it (code -1), so a hang fails the test instead of stalling it. */
export function ferret(args: string[], options: { timeoutMs?: number } = {}): Promise<FerretResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: options.timeoutMs ?? 60_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        done({ code, stdout, stderr });
      },
    );
  });
}
