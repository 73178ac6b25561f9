#!/usr/bin/env node
// Assembles a training-set artifact from a trainer job spec with @ferret/trainer's data assembly (the same
// code `ferret train` runs: BM25 negatives in a rank window, positives excluded, false-negative filters), and
// prints its stats. Needs built dist/ (npx turbo run build --filter=@ferret/trainer...).
// Usage: node bench/train/assemble.mjs <spec.yaml> --out <artifact-dir>
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { STATS_FILE, assembleTrainingSet, loadJobSpec } from "@ferret/trainer";

const { values, positionals } = parseArgs({
  options: { out: { type: "string" } },
  allowPositionals: true,
});
if (positionals.length !== 1 || !values.out) {
  console.error("usage: node bench/train/assemble.mjs <spec.yaml> --out <artifact-dir>");
  process.exit(2);
}
const t = performance.now();
await assembleTrainingSet(await loadJobSpec(positionals[0]), { outputDir: values.out });
const stats = JSON.parse(await readFile(join(values.out, STATS_FILE), "utf8"));
console.error(`assembled ${values.out} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
console.log(JSON.stringify(stats, null, 2));
