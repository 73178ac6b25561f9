/**
 * `ferret up` and `ferret down`: a whole cluster on this machine. Up starts (or joins) nats-server with
 * JetStream and OpenSearch, then every service as its own `ferret serve` process wired to them, each one
 * ready when its gRPC health answers SERVING, and writes down what it started (cluster-state.ts) after each
 * step, so `down` can stop a cluster whose `up` failed half-way. Down stops the services first (their
 * in-flight jobs get the grace period and go back to their queues), then the servers up started (never
 * ones it joined). Both are idempotent: `up` on a running cluster starts only what is not running, `down`
 * on a stopped one does nothing.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UnavailableError } from "@ferret/errors";
import { StateDir, type ClusterState } from "./cluster-state.js";
import { devServer, listening, type DevServerOptions } from "./dev-servers.js";
import { DEFAULT_PORTS, SERVICE_NAMES, type ServiceName } from "./service-catalog.js";
import { isServiceChild, startServiceChild, stopServiceChild } from "./service-children.js";

/** The SmolLM2 GGUF `make demo` and the tests fetch (services/annotator/scripts/fetch-smollm2.sh). */
const BUNDLED_GGUF = fileURLToPath(
  new URL("../../../../.cache/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", import.meta.url),
);

export interface LlmOptions {
  gguf?: string;
  baseUrl?: string;
  model?: string;
}

export interface UpOptions {
  stateDir: string;
  /** Join this NATS instead of starting one. */
  natsUrl?: string;
  natsPort: number;
  natsMonitorPort: number;
  /** Use this OpenSearch instead of starting one. */
  opensearchUrl?: string;
  opensearchPort: number;
  /** gRPC ports base + i and /metrics ports base + 100 + i (i: the service's place in SERVICE_NAMES); else the services' defaults. */
  portBase?: number;
  /** The models directory the encoder and ranker load from and the trainer publishes to. */
  modelsDir: string;
  llm: LlmOptions;
  /** The services to run (default: all). */
  services?: readonly ServiceName[];
  /** How long each service may take to answer SERVING. */
  timeoutMs: number;
  say(line: string): void;
}

export function servicePorts(name: ServiceName, portBase: number | undefined) {
  if (portBase === undefined) return DEFAULT_PORTS[name];
  const i = SERVICE_NAMES.indexOf(name);
  return { grpc: portBase + i, metrics: portBase + 100 + i };
}

async function pidFileAlive(file: string): Promise<boolean> {
  try {
    const pid = Number((await readFile(file, "utf8")).trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The annotator's LLM: the flags, else FERRET_ANNOTATOR_LLM__* from the environment, else the bundled SmolLM2. */
function annotatorLlm(llm: LlmOptions): Record<string, string> | undefined {
  if (llm.gguf !== undefined) return { ggufPath: llm.gguf };
  if (llm.baseUrl !== undefined || llm.model !== undefined) {
    return { ...(llm.baseUrl ? { baseUrl: llm.baseUrl } : {}), ...(llm.model ? { model: llm.model } : {}) };
  }
  if (Object.keys(process.env).some((k) => k.startsWith("FERRET_ANNOTATOR_LLM__"))) return {};
  return existsSync(BUNDLED_GGUF) ? { ggufPath: BUNDLED_GGUF } : undefined;
}

/** Each service's config file: the shared blocks pointed at this cluster, data under the state dir. */
function serviceConfig(
  name: ServiceName,
  state: StateDir,
  cluster: ClusterState,
  options: UpOptions,
  llm: Record<string, string>,
): Record<string, unknown> {
  const ports = servicePorts(name, options.portBase);
  const dir = state.serviceDir(name);
  const common = {
    grpc: { port: ports.grpc },
    metrics: { port: ports.metrics },
    nats: { url: cluster.nats.url },
    artifacts: { dir: join(dir, "artifacts") },
  };
  switch (name) {
    case "encoder":
      return {
        ...common,
        models: { dir: options.modelsDir },
        indexes: { dir: join(dir, "indexes"), cacheDir: join(dir, "index-cache") },
      };
    case "ranker":
      return { ...common, models: { dir: options.modelsDir } };
    case "evaluator":
      return common;
    case "trainer":
      return { ...common, publish: { modelsDir: options.modelsDir }, jobs: { workDir: join(dir, "work") } };
    case "annotator":
      return {
        ...common,
        llm,
        opensearch: { url: cluster.opensearch.url },
        encoder: { address: `127.0.0.1:${servicePorts("encoder", options.portBase).grpc}` },
      };
  }
}

function devOptions(state: StateDir, options: Omit<DevServerOptions, "dir">): DevServerOptions {
  return { dir: state.dir, ...options };
}

/** Where each part listens, one line each. */
export function describeCluster(state: StateDir, cluster: ClusterState): string[] {
  const how = (started: boolean) => (started ? "started by ferret up" : "joined");
  const lines = [
    `nats        ${cluster.nats.url}  (${how(cluster.nats.started)})`,
    `opensearch  ${cluster.opensearch.url}  (${how(cluster.opensearch.started)})`,
  ];
  for (const name of SERVICE_NAMES) {
    const s = cluster.services[name];
    if (s === undefined) continue;
    lines.push(
      `${name.padEnd(11)} grpc 127.0.0.1:${s.grpcPort}  metrics http://127.0.0.1:${s.metricsPort}/metrics  pid ${s.pid}  log ${s.log}`,
    );
  }
  lines.push(`state       ${state.dir}`);
  return lines;
}

export async function upCluster(options: UpOptions): Promise<{ cluster: ClusterState; started: string[] }> {
  const state = new StateDir(options.stateDir);
  const previous = await state.read();
  const dev = devOptions(state, options);
  const started: string[] = [];

  let nats: ClusterState["nats"];
  if (options.natsUrl !== undefined) {
    nats = { url: options.natsUrl, started: false };
  } else {
    const ours = await pidFileAlive(join(state.dir, "nats", "nats.pid"));
    if (!ours) {
      for (const port of [options.natsPort, options.natsMonitorPort]) {
        if (await listening(port)) {
          throw new UnavailableError(
            `something already listens on 127.0.0.1:${port} (not this cluster's nats-server): ` +
              `pass --nats-url to join a running NATS, or --nats-port/--nats-monitor-port`,
          );
        }
      }
      await devServer("nats", "start", dev, options.say);
      started.push("nats");
    }
    nats = {
      url: `nats://127.0.0.1:${options.natsPort}`,
      started: true,
      port: options.natsPort,
      monitorPort: options.natsMonitorPort,
    };
  }
  const cluster: ClusterState = { nats, opensearch: { url: "", started: false }, services: {} };
  // Written before OpenSearch's slow start, so a `down` meanwhile finds the nats-server to stop.
  await state.write({ ...cluster, services: previous?.services ?? {} });

  if (options.opensearchUrl !== undefined) {
    cluster.opensearch = { url: options.opensearchUrl, started: false };
  } else {
    if (!(await pidFileAlive(join(state.dir, "opensearch", "opensearch.pid")))) {
      await devServer("opensearch", "start", dev, options.say);
      started.push("opensearch");
    }
    cluster.opensearch = {
      url: `http://127.0.0.1:${options.opensearchPort}`,
      started: true,
      port: options.opensearchPort,
    };
  }
  cluster.services = { ...(previous?.services ?? {}) };
  await state.write(cluster);

  const llm = annotatorLlm(options.llm);
  const toStart: ServiceName[] = [];
  for (const name of options.services ?? SERVICE_NAMES) {
    const running = cluster.services[name];
    if (running !== undefined && (await isServiceChild(running.pid, name))) continue;
    delete cluster.services[name];
    if (name === "annotator" && llm === undefined) {
      options.say(
        "annotator: not started (no LLM: give --llm-gguf, or --llm-url and --llm-model, or FERRET_ANNOTATOR_LLM__*)",
      );
      continue;
    }
    toStart.push(name);
  }
  // Started side by side (each waits for its own health); the state is written after each one is serving.
  let writes = Promise.resolve();
  const results = await Promise.allSettled(
    toStart.map(async (name) => {
      const ports = servicePorts(name, options.portBase);
      const log = state.logFile(name);
      options.say(`${name}: starting (log ${log})`);
      const child = await startServiceChild({
        name,
        config: serviceConfig(name, state, cluster, options, llm ?? {}),
        configFile: state.configFile(name),
        logFile: log,
        grpcPort: ports.grpc,
        timeoutMs: options.timeoutMs,
      });
      cluster.services[name] = { pid: child.pid, grpcPort: ports.grpc, metricsPort: ports.metrics, log };
      started.push(name);
      writes = writes.then(() => state.write(cluster));
      await writes;
    }),
  );
  await writes;
  const failed = results.find((r) => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  return { cluster, started };
}

export interface DownOptions {
  stateDir: string;
  /** How long each service gets to stop after SIGTERM before SIGKILL. */
  graceMs: number;
  say(line: string): void;
}

/** Stops what `up` started; false when nothing was up. */
export async function downCluster(options: DownOptions): Promise<boolean> {
  const state = new StateDir(options.stateDir);
  const cluster = await state.read();
  if (cluster === undefined) return false;
  const services = SERVICE_NAMES.filter((n) => cluster.services[n] !== undefined).reverse();
  await Promise.all(
    services.map(async (name) => {
      const outcome = await stopServiceChild(cluster.services[name]!.pid, name, options.graceMs);
      options.say(`${name}: ${outcome === "gone" ? "was not running" : outcome}`);
    }),
  );
  const dev = devOptions(state, {
    natsPort: cluster.nats.port ?? 0,
    natsMonitorPort: cluster.nats.monitorPort ?? 0,
    opensearchPort: cluster.opensearch.port ?? 0,
  });
  if (cluster.opensearch.started) await devServer("opensearch", "stop", dev, options.say);
  if (cluster.nats.started) await devServer("nats", "stop", dev, options.say);
  await state.clear();
  return true;
}
