/**
 * Runs a service's built main.ts (what `npm start` runs) as a child process, as a test or a local tool
 * would: waits for the JSON log line `"<name> started"` (which carries the ports it bound), keeps the
 * child's log, and stops it with SIGTERM, resolving with its exit code.
 */
import { spawn } from "node:child_process";

export interface ServiceProcess<Started> {
  /** The fields of the `"<name> started"` log line (e.g. grpcPort, metricsPort). */
  readonly started: Started;
  /** Everything the child logged so far (stderr). */
  log(): string;
  /** SIGTERM, then the exit code once the child has exited. */
  stop(): Promise<number | null>;
  /** SIGKILL (a no-op once it has exited); for `finally` blocks. */
  kill(): void;
}

export async function spawnServiceProcess<Started = { grpcPort: number; metricsPort: number }>(
  main: string,
  options: { name: string; env: NodeJS.ProcessEnv },
): Promise<ServiceProcess<Started>> {
  const child = spawn(process.execPath, [main], { env: options.env, stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let log = "";
  const marker = `"${options.name} started"`;
  const started = new Promise<Started>((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      log += chunk.toString("utf8");
      for (const line of log.split("\n")) if (line.includes(marker)) resolve(JSON.parse(line) as Started);
    });
    void exited.then((code) => reject(new Error(`${options.name} exited early (${code}): ${log}`)));
  });
  try {
    return {
      started: await started,
      log: () => log,
      stop: async () => {
        child.kill("SIGTERM");
        return exited;
      },
      kill: () => void child.kill("SIGKILL"),
    };
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
}
