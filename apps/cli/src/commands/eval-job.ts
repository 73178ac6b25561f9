import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { waitForJob } from "@ferret/jobs";
import type { ArtifactRef } from "@ferret/proto";
import { jobProgressBar, openJobBus } from "../job-bus.js";

/**
 * `ferret eval-job <run> --qrels <file>`: a TREC run evaluated as an evaluator job. The run and qrels are
 * stored in the object store (bucket <prefix>-inputs) and the job names them, so the evaluator reads
 * them there. With --nats-url the cluster's evaluator replicas do the work; embedded, this process runs
 * an evaluation worker. Waits for the job to end: prints trec_eval's `measure all value` lines, or exits
 * non-zero with the job's error.
 */

interface EvalJobFlags {
  qrels: string;
  measure?: string[];
  natsUrl?: string;
  namePrefix: string;
  jobId?: string;
  progress: boolean;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function runEvalJob(runPath: string, flags: EvalJobFlags): Promise<void> {
  const [run, qrels] = await Promise.all([readFile(runPath), readFile(flags.qrels)]);
  const { startEvaluationWorker, submitEvaluationJob, openEvaluationJobs, fromStored, formatTrecValue } =
    await import("@ferret/evaluator");
  const p = flags.namePrefix;
  const names = { queue: p, jobsBucket: `${p}-jobs`, resultsBucket: `${p}-results` };
  const inputsBucket = `${p}-inputs`;
  const jobId = flags.jobId ?? randomUUID();
  const { bus, embedded, close } = await openJobBus(flags.natsUrl, "ferret-cli-eval-job");
  const bar = jobProgressBar(flags.progress);
  try {
    const inputs = await bus.objects(inputsBucket);
    const store = async (name: string, bytes: Uint8Array): Promise<ArtifactRef> => {
      const info = await inputs.put(`${jobId}/${name}`, bytes);
      return {
        bucket: inputsBucket,
        name: info.name,
        sha256: info.sha256,
        size: info.size,
        mediaType: "text/plain",
      };
    };
    const [runRef, qrelsRef] = await Promise.all([
      store(basename(runPath), run),
      store(basename(flags.qrels), qrels),
    ]);
    const worker = embedded ? await startEvaluationWorker({ bus, ...names }) : undefined;
    try {
      await submitEvaluationJob(
        bus,
        {
          run: { source: { $case: "artifact", value: runRef } },
          qrels: { source: { $case: "artifact", value: qrelsRef } },
          measures: flags.measure ?? [],
          options: undefined,
        },
        { jobId, ...names },
      );
      const jobs = await openEvaluationJobs(bus, names.jobsBucket);
      const record = await waitForJob(jobs.watch(jobId), (r) => bar.update(r));
      bar.stop();
      const means = fromStored(record).completed?.means ?? {};
      const lines = Object.entries(means).map(([m, v]) => `${m.padEnd(22)}\tall\t${formatTrecValue(v)}\n`);
      process.stdout.write(lines.join(""));
    } finally {
      await worker?.stop({ graceMs: 1_000 });
    }
  } finally {
    bar.stop();
    await close();
  }
}

export function register(program: Command): void {
  program
    .command("eval-job")
    .description("evaluate a TREC run as an evaluator job (here, or on the cluster with --nats-url)")
    .argument("<run>", "TREC run file (qid Q0 docid rank score tag)")
    .requiredOption("--qrels <file>", "judgments: TREC qrels or BEIR qrels tsv")
    .option("-m, --measure <name>", "measure, repeatable (default: the evaluator's)", collect)
    .option("--nats-url <url>", "submit to the cluster's evaluator replicas instead")
    .option(
      "--name-prefix <prefix>",
      "queue <prefix> and buckets <prefix>-jobs, -results, -inputs",
      "evaluator",
    )
    .option("--job-id <id>", "job id (default: a random one)")
    .option("--no-progress", "never show a progress bar")
    .action(runEvalJob);
}
