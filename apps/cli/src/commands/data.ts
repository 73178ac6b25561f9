import type { Command } from "commander";
import { collectionStats, type CollectionStats } from "@ferret/datasets";
import { formatBytes, withByteProgress } from "../progress.js";
import { formatInt, formatNumber, renderTable } from "../table.js";

/** `ferret data …`: inspect collections on disk. */

interface StatsFlags {
  json?: boolean;
  lenient?: boolean;
  progress: boolean;
}

export function formatStats(stats: CollectionStats): string {
  const format = stats.format === "beir" ? "BEIR" : "Cranfield (Glasgow format)";
  const out: string[] = [`${stats.path}: ${format}, ${formatBytes(stats.bytes)}`, ""];
  const lengthRow = (name: string, count: number, l: CollectionStats["documentLength"]) => [
    name,
    formatInt(count),
    formatNumber(l.mean),
    formatNumber(l.median),
    formatInt(l.min),
    formatInt(l.p90),
    formatInt(l.max),
  ];
  out.push(
    renderTable(
      ["", "count", "mean len", "median", "min", "p90", "max"],
      [
        lengthRow("documents", stats.documents, stats.documentLength),
        lengthRow("queries", stats.queries, stats.queryLength),
      ],
    ),
  );
  out.push("(lengths in whitespace-separated tokens; a document is title + text)", "");
  if (stats.splits.length === 0) {
    out.push("no qrels");
  } else {
    out.push(
      renderTable(
        [
          "qrels split",
          "judgments",
          "judged queries",
          "relevant",
          "queries w/ relevant",
          "labels (label:count)",
        ],
        stats.splits.map((s) => [
          s.name,
          formatInt(s.judgments),
          formatInt(s.judgedQueries),
          formatInt(s.relevant),
          formatInt(s.queriesWithRelevant),
          Object.entries(s.labels)
            .map(([label, n]) => `${label}:${formatInt(n)}`)
            .join(" "),
        ]),
        new Set([5]),
      ),
    );
  }
  if (stats.format === "cranfield") {
    out.push(
      "(Cranfield: queries renumbered 1..N in file order; labels are grades 4 = most relevant, raw code 1)",
    );
  }
  for (const s of stats.splits) {
    if (s.unknownQueries > 0) {
      out.push(
        `warning: split ${s.name} judges ${formatInt(s.unknownQueries)} queries missing from the queries file`,
      );
    }
  }
  if (stats.skipped > 0) out.push(`warning: skipped ${formatInt(stats.skipped)} malformed lines (--lenient)`);
  return out.join("\n");
}

export function register(program: Command): void {
  const data = program
    .command("data")
    .description("inspect collections (BEIR directories, Cranfield in Glasgow format)");
  data
    .command("stats")
    .description("document/query/qrels counts and length statistics of a collection")
    .argument(
      "<dir>",
      "a BEIR directory (corpus.jsonl, queries.jsonl, qrels/) or a Cranfield directory (cran.all.1400, cran.qry, cranqrel)",
    )
    .option("--json", "print the statistics as JSON")
    .option("--lenient", "skip malformed lines (and count them) instead of failing")
    .option("--no-progress", "never show a progress bar")
    .action(async (dir: string, flags: StatsFlags) => {
      const stats = await withByteProgress({ label: "reading", enabled: flags.progress }, (onProgress) =>
        collectionStats(dir, { lenient: flags.lenient === true, onProgress }),
      );
      process.stdout.write(
        flags.json === true ? `${JSON.stringify(stats, null, 2)}\n` : `${formatStats(stats)}\n`,
      );
    });
}
