#!/usr/bin/env node
// Runs bench/eval (see bench.ts): builds what it uses, bundles the TypeScript bench with esbuild (workspace
// packages stay external and load from their built dist/), and runs it from the repository root.
// Arguments go to bench.ts: [--reps N] [--out FILE].
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const out = join(root, "bench/results/tmp/eval-bench.mjs");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

run("npx", ["turbo", "run", "build", "--filter=@ferret/cli...", "--output-logs=errors-only"]);
mkdirSync(dirname(out), { recursive: true });
run("npx", [
  "esbuild",
  "bench/eval/bench.ts",
  "--bundle",
  "--platform=node",
  "--format=esm",
  "--target=node20",
  "--packages=external",
  `--outfile=${out}`,
  "--log-level=warning",
]);
// The bench's own exit status (1 when the tools disagree) is this script's.
process.exitCode =
  spawnSync(process.execPath, [out, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" }).status ?? 1;
