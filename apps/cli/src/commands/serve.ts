import type { Command } from "commander";
import { InternalError, InvalidArgumentError } from "@ferret/errors";
import { SERVICE_MAINS, SERVICE_NAMES, isServiceName } from "../cluster/service-catalog.js";

/**
 * `ferret serve <service>`: one service's process, exactly as its own main.ts runs it (`npm start -w
 * @ferret/<service>`): configured by FERRET_<SERVICE>_* and the YAML file in FERRET_<SERVICE>_CONFIG (or
 * --config), JSON logs on stderr, SIGTERM or SIGINT a graceful stop. `ferret up` starts each service this way.
 */
async function runServe(service: string, flags: { config?: string }): Promise<void> {
  if (!isServiceName(service)) {
    throw new InvalidArgumentError(`unknown service "${service}": one of ${SERVICE_NAMES.join(", ")}`);
  }
  if (flags.config !== undefined) process.env[`FERRET_${service.toUpperCase()}_CONFIG`] = flags.config;
  const { runServiceProcess } = await import("@ferret/service");
  await runServiceProcess(service, SERVICE_MAINS[service]);
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
    .action(runServe);
}
