import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { InputError, InvalidArgumentError } from "@ferret/errors";
import { waitForJob } from "@ferret/jobs";
import { jobProgressBar, openJobBus } from "../job-bus.js";
import { formatInt } from "../table.js";

/**
 * `ferret score-job <pairs.tsv>`: teacher scores for (query, passage) pairs as a ranker scoring job. With
 * --nats-url the job goes on the cluster's work queue and the ranker replicas score it; embedded, this
 * process runs a score worker over the --models root. Waits for the job to end: writes the scores
 * (query id, doc id, score per line, input order) to --out, or exits non-zero with the job's error.
 * @ferret/ranker is imported when the command runs (it loads ONNX Runtime).
 */

interface ScoreJobFlags {
  model: string;
  out: string;
  models?: string;
  natsUrl?: string;
  namePrefix: string;
  jobId?: string;
  batchSize: string;
  int8?: boolean;
  progress: boolean;
}

type Pair = [queryId: string, docId: string, query: string, passage: string];

/** Lines `query id \t doc id \t query \t passage`; InputError naming the line otherwise. */
async function readPairs(path: string): Promise<Pair[]> {
  const pairs: Pair[] = [];
  (await readFile(path, "utf8")).split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const fields = line.replace(/\r$/, "").split("\t");
    if (fields.length !== 4) {
      throw new InputError(
        { file: path, line: i + 1 },
        `expected 4 tab-separated fields (query id, doc id, query, passage), got ${fields.length}`,
      );
    }
    pairs.push(fields as Pair);
  });
  return pairs;
}

async function runScoreJob(pairsPath: string, flags: ScoreJobFlags): Promise<void> {
  if (flags.natsUrl === undefined && flags.models === undefined) {
    throw new InvalidArgumentError(
      "give --models <dir> (score here) or --nats-url <url> (the cluster scores)",
    );
  }
  const batchSize = Number(flags.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(`--batch-size must be an integer >= 1, got "${flags.batchSize}"`);
  }
  const pairs = await readPairs(pairsPath);
  const { ModelCatalog, readScoreJobResult, scoresToTsv, startScoreWorker, submitScoreJob, watchScoreJob } =
    await import("@ferret/ranker");
  const p = flags.namePrefix;
  const names = {
    queue: `${p}-score`,
    jobsBucket: `${p}-jobs`,
    batchesBucket: `${p}-batches`,
    resultsBucket: `${p}-results`,
  };
  const { bus, embedded, close } = await openJobBus(flags.natsUrl, "ferret-cli-score-job");
  const models = embedded ? new ModelCatalog({ root: flags.models as string }) : undefined;
  const bar = jobProgressBar(flags.progress);
  try {
    const worker =
      models === undefined
        ? undefined
        : await startScoreWorker({ bus, scorers: (m, q) => models.scorer(m, q), names });
    try {
      const { record } = await submitScoreJob(bus, {
        ...(flags.jobId === undefined ? {} : { jobId: flags.jobId }),
        model: flags.model,
        quantized: flags.int8 === true,
        pairs,
        batchSize,
        names,
      });
      await waitForJob(watchScoreJob(bus, record.jobId, { names }), (r) => bar.update(r));
      bar.stop();
      const { scores } = await readScoreJobResult(bus, record.jobId, names);
      await writeFile(flags.out, scoresToTsv(scores));
      process.stdout.write(
        `scored ${formatInt(scores.length)} pairs in ${formatInt(record.progress.total)} batches (job ${record.jobId}) -> ${flags.out}\n`,
      );
    } finally {
      await worker?.stop({ graceMs: 1_000 });
    }
  } finally {
    bar.stop();
    await close();
    await models?.close();
  }
}

export function register(program: Command): void {
  program
    .command("score-job")
    .description(
      "score (query, passage) pairs as a ranker scoring job (here, or on the cluster with --nats-url)",
    )
    .argument("<pairs>", "TSV file: query id, doc id, query text, passage text per line")
    .requiredOption("--model <name>", "cross-encoder model name (a directory under the ranker's models root)")
    .requiredOption("--out <file>", "TSV file to write: query id, doc id, score")
    .option("--models <dir>", "embedded: models root this process scores with")
    .option("--nats-url <url>", "submit to the cluster's ranker replicas instead")
    .option(
      "--name-prefix <prefix>",
      "queue and buckets: <prefix>-score, -jobs, -batches, -results",
      "ranker",
    )
    .option("--job-id <id>", "job id (default: a random one)")
    .option("--batch-size <n>", "pairs per work-queue batch", "256")
    .option("--int8", "use the model's quantized (int8) ONNX file")
    .option("--no-progress", "never show a progress bar")
    .action(runScoreJob);
}
