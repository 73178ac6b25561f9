import type { Command } from "commander";
import { InvalidArgumentError } from "@ferret/errors";

/**
 * `ferret down`: stops what `ferret up` started from --state-dir, services first (SIGTERM: in-flight jobs get
 * --grace seconds, then SIGKILL), then the servers it started (never ones it joined). Idempotent.
 */
async function runDown(flags: { stateDir: string; grace: string }): Promise<void> {
  const { downCluster } = await import("../cluster/local-cluster.js");
  const graceS = Number(flags.grace);
  if (!(graceS >= 0)) throw new InvalidArgumentError(`--grace: expected seconds >= 0, got "${flags.grace}"`);
  const wasUp = await downCluster({
    stateDir: flags.stateDir,
    graceMs: graceS * 1000,
    say: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(
    wasUp ? "ferret: down\n" : `ferret: not up (nothing started from ${flags.stateDir})\n`,
  );
}

export function register(program: Command): void {
  program
    .command("down")
    .description("stop what ferret up started: the services, then nats-server and OpenSearch")
    .option("--state-dir <dir>", "the state dir ferret up used", ".ferret/cluster")
    .option("--grace <seconds>", "how long each service gets to stop before it is killed", "30")
    .action(runDown);
}
