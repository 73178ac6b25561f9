import { basename } from "node:path";
import type { Command } from "commander";
import { readTrecRunColumns, trecRunColumnsToMap, type Qrels, type TrecRunColumns } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import type { EvaluateOptions, Evaluation, MeasureSpec } from "@ferret/evaluator";
import { withByteProgress } from "../progress.js";
import { formatInt, renderTable } from "../table.js";

/**
 * `ferret eval`: trec_eval-exact evaluation of one or more TREC runs against TREC or BEIR qrels, as a
 * runs × measures table, trec_eval's own lines (--trec, -q, -c, -l, -J, -M as trec_eval reads them), JSON,
 * or a significance comparison against the first run (--compare).
 */

/** Loaded when the command runs: the evaluator package also carries the service (gRPC, NATS), slow to import. */
const evaluator = () => import("@ferret/evaluator");
/** Shown in --help (kept in step with @ferret/evaluator's DEFAULT_MEASURES by a test). */
export const HELP_DEFAULT_MEASURES = "ndcg_cut.10, map, recip_rank, recall.100";

interface EvalFlags {
  qrels: string;
  measure?: string[];
  trec?: boolean;
  perQuery?: boolean;
  complete?: boolean;
  level?: string;
  judgedOnly?: boolean;
  maxDocs?: string;
  json?: boolean;
  compare?: boolean;
  test: string;
  rounds?: string;
  seed?: string;
  alpha?: string;
  holm?: boolean;
  lenient?: boolean;
  progress: boolean;
}

interface LoadedRun {
  name: string;
  file: string;
  /** Parsed straight from the file's bytes (no string per document): the fast path of evaluate(). */
  run: TrecRunColumns;
}

function integer(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < min) {
    throw new InvalidArgumentError(`${flag} must be an integer >= ${min}, got "${value}"`);
  }
  return n;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function evaluateOptions(flags: EvalFlags): EvaluateOptions {
  return {
    relevanceThreshold: flags.level === undefined ? 1 : integer(flags.level, "-l", Number.MIN_SAFE_INTEGER),
    completeQueries: flags.complete === true,
    judgedOnly: flags.judgedOnly === true,
    ...(flags.maxDocs === undefined ? {} : { maxDocsPerQuery: integer(flags.maxDocs, "-M", 1) }),
  };
}

/** Run names: their tags when every run has a distinct one, else the file names as given. */
function nameRuns(loaded: { file: string; tag: string | undefined; run: TrecRunColumns }[]): LoadedRun[] {
  const tags = loaded.map((l) => l.tag);
  const distinct = tags.every((t) => t !== undefined) && new Set(tags).size === tags.length;
  const bases = loaded.map((l) => basename(l.file));
  const useBase = new Set(bases).size === bases.length;
  return loaded.map((l, i) => ({
    name: distinct ? (l.tag as string) : useBase ? (bases[i] as string) : l.file,
    file: l.file,
    run: l.run,
  }));
}

async function readInputs(qrelsPath: string, runPaths: string[], flags: EvalFlags) {
  const { readQrelsFile } = await evaluator();
  const lenient = flags.lenient === true;
  const { qrels } = await withByteProgress(
    { label: `reading ${qrelsPath}`, enabled: flags.progress },
    (onProgress) => readQrelsFile(qrelsPath, { lenient, onProgress }),
  );
  const loaded: { file: string; tag: string | undefined; run: TrecRunColumns }[] = [];
  for (const file of runPaths) {
    const { columns, name } = await withByteProgress(
      { label: `reading ${file}`, enabled: flags.progress },
      (onProgress) => readTrecRunColumns(file, { lenient, onProgress }),
    );
    loaded.push({ file, tag: name, run: columns });
  }
  return { qrels, runs: nameRuns(loaded) };
}

function table(runs: LoadedRun[], evaluations: Evaluation[], formatTrecValue: (v: number) => string): string {
  const measures = (evaluations[0] as Evaluation).measures.map((m) => m.name);
  const rows = runs.map((run, i) => {
    const evaluation = evaluations[i] as Evaluation;
    return [
      run.name,
      formatInt(evaluation.numQueries),
      ...measures.map((m) => {
        const v = evaluation.mean[m];
        return v === undefined ? "-" : formatTrecValue(v).trim();
      }),
    ];
  });
  return renderTable(["run", "queries", ...measures], rows);
}

function trecLines(
  runs: LoadedRun[],
  evaluations: Evaluation[],
  perQuery: boolean,
  formatTrecEval: (evaluation: Evaluation, options: { perQuery: boolean }) => string,
): string {
  return runs
    .map((run, i) => {
      const lines = formatTrecEval(evaluations[i] as Evaluation, { perQuery });
      // One run: exactly trec_eval's output. Several: each block starts with trec_eval's runid line.
      return runs.length === 1 ? lines : `${"runid".padEnd(22)}\tall\t${run.name}\n${lines}`;
    })
    .join("");
}

async function runEval(runPaths: string[], flags: EvalFlags): Promise<void> {
  const { evaluate, formatTrecEval, formatTrecValue, measureSpecs, toEvaluationJson } = await evaluator();
  const measures = measureSpecs(flags.measure ?? []);
  const options = evaluateOptions(flags);
  if (flags.compare === true && flags.trec === true)
    throw new InvalidArgumentError("--compare and --trec don't mix");
  const { qrels, runs } = await readInputs(flags.qrels, runPaths, flags);
  if (flags.compare === true) {
    await printComparison(runs, qrels, flags, measures, options);
    return;
  }
  const evaluations = runs.map((r) => evaluate(r.run, qrels, measures, options));
  if (flags.json === true) {
    const json = runs.map((r, i) => ({
      name: r.name,
      file: r.file,
      ...toEvaluationJson(evaluations[i] as Evaluation, { perQuery: flags.perQuery === true }),
    }));
    process.stdout.write(`${JSON.stringify({ runs: json }, null, 2)}\n`);
  } else if (flags.trec === true) {
    process.stdout.write(trecLines(runs, evaluations, flags.perQuery === true, formatTrecEval));
  } else {
    process.stdout.write(`${table(runs, evaluations, formatTrecValue)}\n`);
  }
}

async function printComparison(
  runs: LoadedRun[],
  qrels: Qrels,
  flags: EvalFlags,
  measures: MeasureSpec[],
  options: EvaluateOptions,
): Promise<void> {
  const { compareRuns, comparisonToJson, renderComparisonText } = await evaluator();
  if (runs.length < 2)
    throw new InvalidArgumentError("--compare needs a baseline run and at least one other");
  if (flags.test !== "t" && flags.test !== "fisher") {
    throw new InvalidArgumentError(`--test must be t or fisher, got "${flags.test}"`);
  }
  const alpha = flags.alpha === undefined ? undefined : Number(flags.alpha);
  if (alpha !== undefined && !(alpha > 0 && alpha < 1)) {
    throw new InvalidArgumentError(`--alpha must be in (0, 1), got "${flags.alpha}"`);
  }
  const named = runs.map((r) => ({ name: r.name, run: trecRunColumnsToMap(r.run) }));
  const { table: comparison } = await compareRuns(named, qrels, {
    measures,
    evaluate: options,
    test: flags.test === "t" ? "t-test" : "fisher",
    ...(alpha === undefined ? {} : { alpha }),
    ...(flags.rounds === undefined ? {} : { rounds: integer(flags.rounds, "--rounds", 1) }),
    ...(flags.seed === undefined ? {} : { seed: integer(flags.seed, "--seed", 0) }),
    holm: flags.holm === true,
  });
  process.stdout.write(
    flags.json === true
      ? `${JSON.stringify(comparisonToJson(comparison), null, 2)}\n`
      : renderComparisonText(comparison),
  );
}

export function register(program: Command): void {
  program
    .command("eval")
    .description("evaluate TREC runs with trec_eval's measures (a table; trec_eval's lines with --trec)")
    .argument("<runs...>", "TREC run files (qid Q0 docid rank score tag)")
    .requiredOption(
      "--qrels <file>",
      "judgments: TREC qrels (qid 0 docid rel) or BEIR qrels tsv (told apart by the first line)",
    )
    .option(
      "-m, --measure <name>",
      `measure, repeatable: trec_eval names (ndcg_cut.10, P.5,10, recall.100, map) or friendly ones (ndcg@10) (default ${HELP_DEFAULT_MEASURES})`,
      collect,
    )
    .option("--trec", "print trec_eval's output lines")
    .option(
      "-q, --per-query",
      "with --trec: per-query lines too (trec_eval -q); with --json: per-query values",
    )
    .option("-c, --complete", "average over every qrels query, a missing one scoring 0 (trec_eval -c)")
    .option("-l, --level <n>", "minimum relevance label counted as relevant (trec_eval -l)", undefined)
    .option("-J, --judged-only", "evaluate only judged documents (trec_eval -J)")
    .option("-M, --max-docs <n>", "evaluate only the top n documents per query (trec_eval -M)")
    .option("--json", "print JSON")
    .option("--compare", "compare every run against the first (significance test per measure)")
    .option("--test <test>", "with --compare: t (paired t-test) or fisher (randomization)", "t")
    .option("--rounds <n>", "with --test fisher: randomization rounds (default 10000)")
    .option("--seed <n>", "with --test fisher: random seed (default 42)")
    .option("--alpha <a>", "with --compare: significance level (default 0.05)")
    .option("--holm", "with --compare: Holm–Bonferroni correction over the compared runs")
    .option("--lenient", "skip malformed lines (and count them) instead of failing")
    .option("--no-progress", "never show a progress bar")
    .action(runEval);
}
