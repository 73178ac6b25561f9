// bench/pipeline/run.sh's summary: the wall time of each stage of a finished run (stages/<stage>/stage.json,
// written by the run itself) and its report's comparison table (report.json), as Markdown.
// Usage: node bench/pipeline/summary.mjs <spec.yaml> [run.time (from /usr/bin/time -v)]
import { readFile, readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";

const [specFile, timeFile] = process.argv.slice(2);
if (!specFile) throw new Error("usage: summary.mjs <spec.yaml> [run.time]");
const spec = parse(await readFile(specFile, "utf8"));
const out = resolve(dirname(specFile), spec.output);
const lines = [`# ${spec.name ?? specFile}: ${out}`, ""];

if (timeFile) {
  const time = await readFile(timeFile, "utf8");
  const field = (label) => time.match(new RegExp(`${label}: (.+)`))?.[1]?.trim();
  const cpu = Number(field("User time \\(seconds\\)")) + Number(field("System time \\(seconds\\)"));
  const rssGb = Number(field("Maximum resident set size \\(kbytes\\)")) / 1024 ** 2;
  lines.push(
    `ferret run: wall ${field("Elapsed \\(wall clock\\) time \\(h:mm:ss or m:ss\\)")}, ${cpu.toFixed(0)} CPU s ` +
      `(user + system, the engine subprocess included), largest process ${rssGb.toFixed(1)} GB RSS`,
    "",
  );
}

// Stages in the order they finished (every stage record has `finishedAt`).
const stagesDir = join(out, "stages");
const records = [];
for (const stage of await readdir(stagesDir)) {
  const record = JSON.parse(await readFile(join(stagesDir, stage, "stage.json"), "utf8"));
  records.push({ stage, ...record });
}
records.sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
let total = 0;
lines.push("| stage | wall s | summary |", "| --- | ---: | --- |");
for (const r of records) {
  total += r.seconds;
  lines.push(`| ${r.stage} | ${r.seconds.toFixed(1)} | ${JSON.stringify(r.summary ?? {}).slice(0, 160)} |`);
}
lines.push(`| all stages | ${total.toFixed(1)} (${(total / 60).toFixed(1)} min) | |`, "");

const report = JSON.parse(await readFile(join(out, "report.json"), "utf8"));
const { comparison } = report;
const measures = comparison.measures;
lines.push(
  `${report.dataset.name} ${report.dataset.split}, ${report.dataset.queries} queries; ${comparison.legend}`,
  "",
  `| system | ${measures.join(" | ")} | W/T/L (${measures[0]}) |`,
  `| --- | ${measures.map(() => "---:").join(" | ")} | --- |`,
);
for (const s of comparison.systems) {
  const cells = measures.map((m) => `${s.measures[m].mean.toFixed(4)}${s.measures[m].marker}`);
  const first = s.measures[measures[0]];
  const wtl = s.isBaseline ? "baseline" : `${first.wins}/${first.ties}/${first.losses}`;
  lines.push(`| ${s.name} | ${cells.join(" | ")} | ${wtl} |`);
}
console.log(lines.join("\n"));
