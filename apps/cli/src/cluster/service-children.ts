/**
 * The services of a local cluster as detached child processes (`ferret serve <name>`, their own process
 * groups, so a Ctrl-C at the `ferret up` prompt does not reach them): started with a config file and a log
 * file in the state directory, ready once gRPC health answers SERVING, and stopped by pid with SIGTERM (a
 * graceful stop), then SIGKILL past the grace period. A pid is only signalled while /proc says it is still
 * this service's `ferret serve` (pids are reused).
 */
import { spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { InternalError, TimeoutError } from "@ferret/errors";
import { createClient } from "@ferret/grpc";
import { service as healthService } from "grpc-health-check";
import type { ServiceName } from "./service-catalog.js";

/** The built CLI (dist/main.js), which the children run as `serve <name>`. */
const CLI_MAIN = fileURLToPath(new URL("../main.js", import.meta.url));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface StartedChild {
  pid: number;
}

/**
 * Starts `ferret serve <name>` with `config` (written as `configFile`; JSON is YAML) and its output appended
 * to `logFile`; resolves once gRPC health on 127.0.0.1:`grpcPort` is SERVING, rejects if the child exits
 * first or `timeoutMs` passes (the child is then killed).
 */
export async function startServiceChild(options: {
  name: ServiceName;
  config: unknown;
  configFile: string;
  logFile: string;
  grpcPort: number;
  timeoutMs: number;
}): Promise<StartedChild> {
  const { name, configFile, logFile } = options;
  await mkdir(dirname(configFile), { recursive: true });
  await writeFile(configFile, `${JSON.stringify(options.config, null, 2)}\n`);
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, [CLI_MAIN, "serve", name], {
    env: { ...process.env, [`FERRET_${name.toUpperCase()}_CONFIG`]: configFile },
    stdio: ["ignore", log, log],
    detached: true,
  });
  closeSync(log);
  child.unref();
  let exited: number | string | null | undefined;
  child.once("exit", (code, signal) => (exited = code ?? signal));
  const pid = child.pid;
  if (pid === undefined) throw new InternalError(`${name}: could not start ${process.execPath}`);
  const deadline = Date.now() + options.timeoutMs;
  const health = createClient(healthService, `127.0.0.1:${options.grpcPort}`, {
    retry: false,
    deadlineMs: 2000,
  });
  try {
    for (;;) {
      if (exited !== undefined) {
        throw new InternalError(`${name} exited (${exited}) before it was serving; see ${logFile}`);
      }
      const answer = (await health["Check"]!({ service: "" }).catch(() => undefined)) as
        { status?: string } | undefined;
      if (answer?.status === "SERVING" && exited === undefined) return { pid };
      if (Date.now() > deadline) {
        process.kill(pid, "SIGKILL");
        throw new TimeoutError(`${name} was not serving within ${options.timeoutMs} ms; see ${logFile}`);
      }
      await sleep(250);
    }
  } finally {
    health.close();
  }
}

/** Whether `pid` is alive and is `ferret serve <name>` (not a process that got a reused pid). */
export async function isServiceChild(pid: number, name: ServiceName): Promise<boolean> {
  let cmdline: string;
  try {
    cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return false;
  }
  const args = cmdline.split("\0");
  const at = args.indexOf("serve");
  return at > 0 && args[at + 1] === name;
}

/**
 * SIGTERM, then SIGKILL if it is still running after `graceMs`. Resolves "stopped", "killed", or "gone" (it
 * was not running).
 */
export async function stopServiceChild(
  pid: number,
  name: ServiceName,
  graceMs: number,
): Promise<"stopped" | "killed" | "gone"> {
  if (!(await isServiceChild(pid, name))) return "gone";
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isServiceChild(pid, name))) return "stopped";
    await sleep(100);
  }
  if (!(await isServiceChild(pid, name))) return "stopped";
  process.kill(pid, "SIGKILL");
  while (await isServiceChild(pid, name)) await sleep(50);
  return "killed";
}
