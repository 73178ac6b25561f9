import type { Command } from "commander";
import { grpcTlsOf, withGrpcTlsOptions, type GrpcTlsFlags } from "../grpc-tls.js";

/**
 * `ferret cancel <address> <run-id>`: cancels a cluster run through the pipeline API (ferret.v1.Pipeline's
 * CancelRun): its running stage stops and no later stage starts; finished stages keep their outputs.
 * Prints each stage's state after the call. (Ctrl-C on `ferret run --cluster` only detaches.)
 */
async function cancelRun(address: string, runId: string, flags: GrpcTlsFlags): Promise<void> {
  const { createClient } = await import("@ferret/grpc");
  const { JobState, PipelineRunState, PipelineService } = await import("@ferret/proto");
  const client = createClient(PipelineService, address, { tls: grpcTlsOf(flags), deadlineMs: 60_000 });
  const jobState = (state: number | undefined): string =>
    state === undefined ? "not started" : (JobState[state] ?? "?").replace("JOB_STATE_", "").toLowerCase();
  try {
    const run = await client.cancelRun({ runId });
    for (const stage of run.stages)
      process.stdout.write(`${stage.name.padEnd(8)} ${jobState(stage.job?.state)}\n`);
    process.stdout.write(
      `run ${runId} ${(PipelineRunState[run.state] ?? "?").replace("PIPELINE_RUN_STATE_", "").toLowerCase()}\n`,
    );
  } finally {
    client.close();
  }
}

export function register(program: Command): void {
  withGrpcTlsOptions(
    program
      .command("cancel")
      .description("cancel a cluster run through the pipeline API (its finished stages are kept)")
      .argument("<address>", "host:port of a service that hosts pipeline stages (ferret up prints them)")
      .argument("<run-id>", "the run"),
  ).action(cancelRun);
}
