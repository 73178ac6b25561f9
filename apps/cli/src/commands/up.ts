import type { Command } from "commander";
import { InvalidArgumentError } from "@ferret/errors";
import { SERVICE_NAMES, isServiceName, type ServiceName } from "../cluster/service-catalog.js";

/**
 * `ferret up`: nats-server (JetStream), OpenSearch and every service on this machine, each its own process,
 * with logs and state under --state-dir; prints where each listens. On a cluster already up it says so and
 * starts only what is missing. `ferret down` stops it. See cluster/local-cluster.ts.
 */
interface UpFlags {
  stateDir: string;
  natsUrl?: string;
  natsPort: string;
  natsMonitorPort: string;
  opensearchUrl?: string;
  opensearchPort: string;
  portBase?: string;
  modelsDir: string;
  llmGguf?: string;
  llmUrl?: string;
  llmModel?: string;
  timeout: string;
  services?: string;
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new InvalidArgumentError(`--${flag}: expected a port (1-65535), got "${value}"`);
  }
  return n;
}

function serviceList(value: string): ServiceName[] {
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const name of names)
    if (!isServiceName(name))
      throw new InvalidArgumentError(
        `--services: unknown service "${name}" (one of ${SERVICE_NAMES.join(", ")})`,
      );
  return names as ServiceName[];
}

async function runUp(flags: UpFlags): Promise<void> {
  const { StateDir } = await import("../cluster/cluster-state.js");
  const { describeCluster, upCluster } = await import("../cluster/local-cluster.js");
  const timeoutS = Number(flags.timeout);
  if (!(timeoutS > 0))
    throw new InvalidArgumentError(`--timeout: expected seconds > 0, got "${flags.timeout}"`);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const { cluster, started } = await upCluster({
    stateDir: flags.stateDir,
    ...(flags.natsUrl === undefined ? {} : { natsUrl: flags.natsUrl }),
    natsPort: port("nats-port", flags.natsPort),
    natsMonitorPort: port("nats-monitor-port", flags.natsMonitorPort),
    ...(flags.opensearchUrl === undefined ? {} : { opensearchUrl: flags.opensearchUrl }),
    opensearchPort: port("opensearch-port", flags.opensearchPort),
    ...(flags.portBase === undefined ? {} : { portBase: port("port-base", flags.portBase) }),
    modelsDir: flags.modelsDir,
    llm: {
      ...(flags.llmGguf === undefined ? {} : { gguf: flags.llmGguf }),
      ...(flags.llmUrl === undefined ? {} : { baseUrl: flags.llmUrl }),
      ...(flags.llmModel === undefined ? {} : { model: flags.llmModel }),
    },
    ...(flags.services === undefined ? {} : { services: serviceList(flags.services) }),
    timeoutMs: timeoutS * 1000,
    say,
  });
  const state = new StateDir(flags.stateDir);
  process.stdout.write(
    started.length === 0 ? "ferret: already up\n" : `ferret: up (started ${started.join(", ")})\n`,
  );
  process.stdout.write(`${describeCluster(state, cluster).join("\n")}\n`);
}

export function register(program: Command): void {
  program
    .command("up")
    .description("start nats-server, OpenSearch and every service on this machine (ferret down stops them)")
    .option("--state-dir <dir>", "pid files, configs, logs and data", ".ferret/cluster")
    .option("--nats-url <url>", "join this NATS (JetStream) instead of starting one")
    .option("--nats-port <port>", "port of the nats-server up starts", "4222")
    .option("--nats-monitor-port <port>", "its monitoring port", "8222")
    .option("--opensearch-url <url>", "use this OpenSearch instead of starting one")
    .option("--opensearch-port <port>", "port of the OpenSearch up starts", "9200")
    .option(
      "--port-base <port>",
      "gRPC ports from here (encoder, ranker, evaluator, trainer, annotator), /metrics from here + 100 (default: each service's own)",
    )
    .option(
      "--models-dir <dir>",
      "models the encoder and ranker serve and the trainer publishes to",
      "models",
    )
    .option(
      "--llm-gguf <file>",
      "the annotator's LLM: a local GGUF (default: the bundled SmolLM2 when fetched)",
    )
    .option("--llm-url <url>", "the annotator's LLM: an OpenAI-compatible endpoint (with --llm-model)")
    .option("--llm-model <name>", "the model at --llm-url")
    .option(
      "--services <list>",
      `comma-separated services to run (default: all of ${SERVICE_NAMES.join(",")})`,
    )
    .option("--timeout <seconds>", "how long each service may take to answer gRPC health SERVING", "120")
    .action(runUp);
}
