import { resolve } from "node:path";
import type { Command } from "commander";
import { InternalError, InvalidArgumentError, UnavailableError } from "@ferret/errors";
import { SERVICE_MAINS, SERVICE_NAMES, isServiceName } from "../cluster/service-catalog.js";

/**
 * `ferret serve <service>`: one service's process, exactly as its own main.ts runs it (`npm start -w
 * @ferret/<service>`): configured by FERRET_<SERVICE>_* and the YAML file in FERRET_<SERVICE>_CONFIG (or
 * --config), JSON logs on stderr, SIGTERM or SIGINT a graceful stop. `ferret up` starts each service this way.
 * With NATS configured it also hosts the service's pipeline stages (cluster/pipeline-host.ts) and, in a
 * service that hosts stages, serves the pipeline API (ferret.v1.Pipeline) on its gRPC port, unless
 * --no-pipeline.
 */
async function runServe(service: string, flags: { config?: string; pipeline: boolean }): Promise<void> {
  if (!isServiceName(service)) {
    throw new InvalidArgumentError(`unknown service "${service}": one of ${SERVICE_NAMES.join(", ")}`);
  }
  if (flags.config !== undefined) process.env[`FERRET_${service.toUpperCase()}_CONFIG`] = flags.config;
  const { runServiceProcess } = await import("@ferret/service");
  await runServiceProcess(service, async (logger) => {
    const { pipelineApi, startPipelineHost } = await import("../cluster/pipeline-host.js");
    // Known once the service's config is read (just below); until then a RunStage is refused as unavailable.
    const read: { ackWaitMs?: number } = {};
    const ackWaitMs = () => {
      if (read.ackWaitMs === undefined) throw new UnavailableError(`${service} is still starting`);
      return read.ackWaitMs;
    };
    const extraServices = flags.pipeline ? pipelineApi(service, logger, ackWaitMs) : undefined;
    const {
      service: running,
      config,
      engine,
    } = await SERVICE_MAINS[service](logger, extraServices === undefined ? {} : { extraServices });
    read.ackWaitMs = config.pipeline.ackWaitMs;
    if (!flags.pipeline) return running;
    const { ENGINE_DIR } = await import("@ferret/trainer");
    const { VERSION } = await import("../program.js");
    let host;
    try {
      host = await startPipelineHost({
        service,
        config,
        env: {
          python: resolve(engine?.python ?? ".venv/bin/python"),
          engineDir: resolve(engine?.dir ?? ENGINE_DIR),
          versions: { ferret: VERSION, node: process.version },
        },
        logger,
      });
    } catch (err) {
      await running.stop();
      throw err;
    }
    if (host === undefined) return running;
    const stages = host;
    return {
      async stop() {
        // The stages first: one in flight goes back to its queue for another host.
        await stages.stop({ graceMs: config.grpc.shutdownTimeoutMs });
        await running.stop();
      },
    };
  });
  // runServiceProcess logged a failed start and set exit code 1; the CLI sets the exit code from what the
  // command returns, so the failure is passed on as an error.
  if (process.exitCode === 1) throw new InternalError(`${service} failed to start (see its log above)`);
}

export function register(program: Command): void {
  program
    .command("serve")
    .description(`run one service (${SERVICE_NAMES.join(", ")}) until SIGTERM or SIGINT`)
    .argument("<service>", SERVICE_NAMES.join(" | "))
    .option(
      "--config <file>",
      "the service's YAML config (else FERRET_<SERVICE>_CONFIG; env vars win over it)",
    )
    .option("--no-pipeline", "do not host this service's pipeline stages (cluster mode)")
    .action(runServe);
}
