/**
 * nats-server (JetStream) and OpenSearch for a local cluster, started and stopped by the repository's dev
 * scripts (infra/dev/nats.sh, opensearch.sh: install, config, readiness and pid files live there, one copy),
 * with their data, logs and pid files under the cluster's state directory (the scripts' FERRET_DEV_DIR).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { UnavailableError } from "@ferret/errors";

export type DevServer = "nats" | "opensearch";

/** infra/dev of the checkout this CLI was built in (dist/cluster/ -> the repository root). */
const DEV_SCRIPTS = fileURLToPath(new URL("../../../../infra/dev/", import.meta.url));

export interface DevServerOptions {
  /** The state directory (the scripts' FERRET_DEV_DIR). */
  dir: string;
  natsPort: number;
  natsMonitorPort: number;
  opensearchPort: number;
}

function scriptEnv(options: DevServerOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FERRET_DEV_DIR: options.dir,
    NATS_PORT: String(options.natsPort),
    NATS_MONITOR_PORT: String(options.natsMonitorPort),
    OPENSEARCH_PORT: String(options.opensearchPort),
  };
}

/**
 * Runs `infra/dev/<server>.sh <action>`; its output lines go to `say`. Rejects with UnavailableError (and the
 * script's last lines) when it fails.
 */
export async function devServer(
  server: DevServer,
  action: "start" | "stop",
  options: DevServerOptions,
  say: (line: string) => void,
): Promise<void> {
  const script = `${DEV_SCRIPTS}${server}.sh`;
  if (!existsSync(script)) {
    throw new UnavailableError(`${script} is missing: \`ferret up\` runs from a Ferret checkout`);
  }
  const child = spawn("bash", [script, action], {
    env: scriptEnv(options),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer): void => {
    output += chunk.toString("utf8");
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  for (const line of output.split("\n")) if (line.trim() !== "") say(line);
  if (code !== 0) throw new UnavailableError(`${server}.sh ${action} failed (exit ${code})`);
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function listening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (up: boolean): void => {
      socket.destroy();
      resolve(up);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}
