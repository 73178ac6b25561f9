import type { Command } from "commander";
import { readTrecRun, writeTrecRun, type Run } from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import { withByteProgress } from "../progress.js";
import { formatInt } from "../table.js";

/**
 * `ferret fuse`: fuse TREC runs (hybrid BM25 + dense, several rankers) into one TREC run: normalize each
 * query's scores, then combine (weighted sum, CombSUM, CombMNZ or reciprocal rank fusion), as ranx.fuse does.
 * @ferret/evaluator is imported when the command runs (it also carries the service, slow to import).
 */

interface FuseFlags {
  method: string;
  norm: string;
  alpha?: string;
  weights?: string;
  k?: string;
  depth: string;
  out: string;
  tag: string;
  lenient?: boolean;
  progress: boolean;
}

function finite(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new InvalidArgumentError(`${flag} must be a number, got "${value}"`);
  return n;
}

function positiveInteger(value: string, flag: string): number {
  const n = finite(value, flag);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

async function runFuse(runPaths: string[], flags: FuseFlags): Promise<void> {
  const runs: Run[] = [];
  for (const file of runPaths) {
    const { run } = await withByteProgress(
      { label: `reading ${file}`, enabled: flags.progress },
      (onProgress) => readTrecRun(file, { lenient: flags.lenient === true, onProgress }),
    );
    runs.push(run);
  }
  const { fuseRuns } = await import("@ferret/evaluator");
  const depth = positiveInteger(flags.depth, "--depth");
  const fused = fuseRuns(runs, {
    method: flags.method,
    normalization: flags.norm,
    ...(flags.alpha === undefined ? {} : { alpha: finite(flags.alpha, "--alpha") }),
    ...(flags.weights === undefined
      ? {}
      : { weights: flags.weights.split(",").map((w) => finite(w, "--weights")) }),
    ...(flags.k === undefined ? {} : { k: finite(flags.k, "--k") }),
    depth,
  });
  await writeTrecRun(flags.out, fused, { tag: flags.tag });
  let lines = 0;
  for (const docs of fused.values()) lines += docs.size;
  process.stdout.write(
    `fused ${runs.length} runs (${flags.method}, ${flags.method === "rrf" ? "ranks" : flags.norm}): ${formatInt(fused.size)} queries, ${formatInt(lines)} lines -> ${flags.out}\n`,
  );
}

export function register(program: Command): void {
  program
    .command("fuse")
    .description("fuse TREC runs into one (normalize, then weighted sum / CombSUM / CombMNZ / RRF)")
    .argument("<runs...>", "two or more TREC run files")
    .requiredOption("--method <method>", "fusion method: wsum, combsum, combmnz, rrf")
    .option(
      "--norm <name>",
      "per-query score normalization: none, min-max, max, sum, z-score, rank, min-max-centered",
      "min-max",
    )
    .option("--alpha <a>", "wsum with two runs: weight of the first run (the second gets 1 - a)")
    .option("--weights <list>", "wsum: one weight per run, comma-separated (e.g. 0.7,0.3)")
    .option("--k <k>", "rrf: the rank constant (default 60)")
    .option("--depth <n>", "results kept per query", "1000")
    .requiredOption("--out <file>", "TREC run file to write")
    .option("--tag <tag>", "run tag", "ferret-fused")
    .option("--lenient", "skip malformed lines (and count them) instead of failing")
    .option("--no-progress", "never show a progress bar")
    .action(runFuse);
}
