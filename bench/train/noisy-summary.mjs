#!/usr/bin/env node
// Summary of the noisy-labels comparison (bench/train/noisy.sh): for each loss, test nDCG@10 and the global
// AUC@500 (research-methods §2's protocol: every query's positives against its top-500 non-positives, pooled)
// of each seed's exact dense run, mean ± sd over seeds (sd with n − 1); and for each pair of losses a paired
// t-test (@ferret/evaluator, scipy's ttest_rel) on per-query nDCG@10 averaged over the seeds both losses have.
// Needs built dist/ (npx turbo run build --filter=@ferret/evaluator...).
// Usage: node bench/train/noisy-summary.mjs --qrels qrels/test.tsv [--json out.json] <loss>:<seed>:<run dir>...
//        (each run dir holds test.trec, written by scifact.sh; a dir without it is listed as missing)
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readBeirQrels, readTrecRun } from "@ferret/datasets";
import { evaluate, pairedTTest } from "@ferret/evaluator";

const { values, positionals } = parseArgs({
  options: { qrels: { type: "string" }, json: { type: "string" } },
  allowPositionals: true,
});
if (!values.qrels || positionals.length === 0) {
  console.error("usage: noisy-summary.mjs --qrels <qrels> [--json out] <loss>:<seed>:<run dir>...");
  process.exit(2);
}
const qrels = await readBeirQrels(values.qrels);
const NDCG = "ndcg_cut_10";
const AUC = "auc_500";

/** loss -> seed -> { ndcg, auc, perQuery: qid -> nDCG@10 } */
const byLoss = new Map();
const missing = [];
for (const arg of positionals) {
  const [loss, seed, dir] = arg.split(":");
  const file = join(dir, "test.trec");
  if (!existsSync(file)) {
    missing.push(`${loss} seed ${seed}`);
    continue;
  }
  const ev = evaluate((await readTrecRun(file)).run, qrels, ["ndcg_cut.10", "auc_500"]);
  const perQuery = new Map([...ev.perQuery].map(([q, m]) => [q, m[NDCG]]));
  if (!byLoss.has(loss)) byLoss.set(loss, new Map());
  byLoss.get(loss).set(seed, { ndcg: ev.mean[NDCG], auc: ev.globalAuc[AUC], perQuery });
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) =>
  xs.length < 2 ? NaN : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const f4 = (x) => (Number.isNaN(x) ? "—" : x.toFixed(4));

const losses = [...byLoss.keys()];
const rows = losses.map((loss) => {
  const seeds = [...byLoss.get(loss).entries()];
  const nd = seeds.map(([, r]) => r.ndcg);
  const au = seeds.map(([, r]) => r.auc);
  return {
    loss,
    seeds: Object.fromEntries(
      seeds.map(([s, r]) => [s, { ndcg10: +r.ndcg.toFixed(4), globalAuc500: +r.auc.toFixed(4) }]),
    ),
    ndcg10: { mean: mean(nd), sd: sd(nd) },
    globalAuc500: { mean: mean(au), sd: sd(au) },
  };
});

/** Per-query nDCG@10 averaged over the given seeds. */
function seedMean(loss, seeds) {
  const runs = seeds.map((s) => byLoss.get(loss).get(s).perQuery);
  return new Map([...runs[0].keys()].map((q) => [q, mean(runs.map((r) => r.get(q) ?? 0))]));
}
const tests = [];
for (let i = 0; i < losses.length; i++) {
  for (let j = i + 1; j < losses.length; j++) {
    const [a, b] = [losses[i], losses[j]];
    const seeds = [...byLoss.get(a).keys()].filter((s) => byLoss.get(b).has(s));
    if (seeds.length === 0) continue;
    const t = pairedTTest(seedMean(a, seeds), seedMean(b, seeds));
    tests.push({ control: a, treatment: b, seeds, ...t });
  }
}

const lines = [
  "| loss | seeds | nDCG@10 per seed | nDCG@10 mean ± sd | global AUC@500 mean ± sd |",
  "| --- | --- | --- | ---: | ---: |",
  ...rows.map(
    (r) =>
      `| ${r.loss} | ${Object.keys(r.seeds).join(", ")} | ${Object.values(r.seeds)
        .map((s) => s.ndcg10.toFixed(4))
        .join(
          ", ",
        )} | ${f4(r.ndcg10.mean)} ± ${f4(r.ndcg10.sd)} | ${f4(r.globalAuc500.mean)} ± ${f4(r.globalAuc500.sd)} |`,
  ),
  "",
  "| pair (B − A), per-query nDCG@10 averaged over the common seeds | seeds | mean difference | t | p (two-sided) |",
  "| --- | --- | ---: | ---: | ---: |",
  ...tests.map(
    (t) =>
      `| ${t.treatment} − ${t.control} | ${t.seeds.join(", ")} | ${t.meanDifference >= 0 ? "+" : ""}${t.meanDifference.toFixed(4)} | ${t.statistic.toFixed(2)} | ${t.pValue.toPrecision(3)} |`,
  ),
  ...(missing.length ? ["", `missing (no test.trec): ${missing.join("; ")}`] : []),
];
process.stdout.write(lines.join("\n") + "\n");
if (values.json) await writeFile(values.json, JSON.stringify({ rows, tests, missing }, null, 2) + "\n");
