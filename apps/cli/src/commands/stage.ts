import type { Command } from "commander";
import { grpcTlsOf, withGrpcTlsOptions, type GrpcTlsFlags } from "../grpc-tls.js";

/**
 * `ferret stage <address> <run-id> <stage>`: one stage of a cluster run through the pipeline API
 * (ferret.v1.Pipeline's RunStage, served by the services that host stages): queues it for its host and
 * waits for it to end; prints the stage's line as `ferret run` does. A stage whose upstream stages have not
 * succeeded fails naming them (FAILED_PRECONDITION); a finished stage is left as it is.
 */
interface StageFlags extends GrpcTlsFlags {
  timeout: string;
}

async function runStage(address: string, runId: string, stage: string, flags: StageFlags): Promise<void> {
  const { createClient } = await import("@ferret/grpc");
  const { JobState, PipelineService } = await import("@ferret/proto");
  const { InternalError } = await import("@ferret/errors");
  const client = createClient(PipelineService, address, {
    tls: grpcTlsOf(flags),
    deadlineMs: Number(flags.timeout) * 1000,
  });
  try {
    const status = await client.runStage({ runId, stage, wait: true });
    if (status.job?.state !== JobState.JOB_STATE_SUCCEEDED)
      throw new InternalError(
        `stage ${stage} of run ${runId} did not succeed: ${status.job?.errorMessage || "no reason given"}`,
      );
    process.stdout.write(
      `${stage.padEnd(8)} ${status.skipped ? "skipped (finished earlier)" : `done in ${status.seconds.toFixed(1)} s`}  key ${status.key.slice(0, 12)}\n`,
    );
  } finally {
    client.close();
  }
}

export function register(program: Command): void {
  withGrpcTlsOptions(
    program
      .command("stage")
      .description("run one stage of a cluster run (submitted with SubmitRun) through the pipeline API")
      .argument("<address>", "host:port of a service that hosts pipeline stages (ferret up prints them)")
      .argument("<run-id>", "the run")
      .argument("<stage>", "ingest, annotate, assemble, train, evaluate or report")
      .option("--timeout <seconds>", "stop waiting after this long (the stage goes on)", "86400"),
  ).action(runStage);
}
