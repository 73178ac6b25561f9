import type { Command } from "commander";
import { join } from "node:path";
import {
  GLASGOW_QRELS_FORMATS,
  collectionStats,
  convertToBeir,
  detectCollectionFormat,
  loadGlasgowDir,
  openGlasgowCollection,
  type CollectionStats,
  type GlasgowCollectionSpec,
  type GlasgowQrelsFormat,
} from "@ferret/datasets";
import { InvalidArgumentError } from "@ferret/errors";
import { formatBytes, withByteProgress } from "../progress.js";
import { formatInt, formatNumber, renderTable } from "../table.js";

/** `ferret data …`: inspect collections on disk. */

interface ConvertFlags {
  docs?: string[];
  queries?: string;
  qrels?: string;
  qrelsFormat?: string;
  queryIds?: string;
  out: string;
  split: string;
  lenient?: boolean;
}

/** The Glasgow files: --docs/--queries/--qrels, or a directory (manifest, or the files' names: see findGlasgowFiles). */
async function glasgowSpec(dir: string | undefined, flags: ConvertFlags): Promise<GlasgowCollectionSpec> {
  const files = [flags.docs, flags.queries, flags.qrels];
  let spec: GlasgowCollectionSpec;
  if (dir !== undefined) {
    if (files.some((f) => f !== undefined))
      throw new InvalidArgumentError("give either a collection directory or --docs, --queries and --qrels");
    if ((await detectCollectionFormat(dir)) === "beir")
      throw new InvalidArgumentError(`${dir} is already a BEIR collection`);
    spec = await loadGlasgowDir(dir);
  } else {
    if (files.some((f) => f === undefined))
      throw new InvalidArgumentError(
        "--docs, --queries and --qrels are all needed without a collection directory",
      );
    const docs = flags.docs as string[];
    spec = {
      documents: docs.length === 1 ? (docs[0] as string) : docs,
      queries: flags.queries as string,
      qrels: flags.qrels as string,
    };
  }
  if (flags.qrelsFormat !== undefined) {
    if (!GLASGOW_QRELS_FORMATS.includes(flags.qrelsFormat as GlasgowQrelsFormat))
      throw new InvalidArgumentError(
        `--qrels-format must be one of ${GLASGOW_QRELS_FORMATS.join(", ")}, got "${flags.qrelsFormat}"`,
      );
    spec.qrelsFormat = flags.qrelsFormat as GlasgowQrelsFormat;
  }
  if (flags.queryIds !== undefined) {
    if (flags.queryIds !== "record" && flags.queryIds !== "ordinal")
      throw new InvalidArgumentError(`--query-ids must be record or ordinal, got "${flags.queryIds}"`);
    spec.queryIds = flags.queryIds;
  }
  return spec;
}

interface StatsFlags {
  json?: boolean;
  lenient?: boolean;
  progress: boolean;
}

export function formatStats(stats: CollectionStats): string {
  const format =
    stats.format === "beir"
      ? "BEIR"
      : stats.format === "cranfield"
        ? "Cranfield (Glasgow format)"
        : "Glasgow format";
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
    .description("inspect and convert collections (BEIR directories, the classic Glasgow test collections)");
  data
    .command("convert")
    .description(
      "write a classic test collection (Cranfield, CACM, CISI, MED, ADI, NPL, TIME, LISA) as a BEIR directory",
    )
    .argument(
      "[dir]",
      `a directory with ${"glasgow.json"} (documents, queries, qrels), Cranfield's files, one each of *.ALL, *.QRY or *.QUE, *.REL (TIME too), or LISA's LISA<n>.<nnn>, LISA.QUE and LISA.REL or LISARJ.NUM`,
    )
    .option(
      "--docs <files...>",
      "documents file (.I, NPL, TIME *TEXT records), or LISA's several files in order",
    )
    .option("--queries <file>", "queries file (.I, NPL, TIME *FIND, LISA #-ended records)")
    .option("--qrels <file>", "relevance file")
    .option(
      "--qrels-format <format>",
      "cranfield (qid docid code), pairs (qid docid 0 0: CACM, CISI, ADI), trec (qid 0 docid rel: MED), npl (lists), time (qid docid ...), lisa (LISA.REL) or lisa-num (LISARJ.NUM); default: detected",
    )
    .option(
      "--query-ids <ids>",
      "record (the .I value) or ordinal (1..N in file order); default: ordinal for cranfield",
    )
    .requiredOption(
      "--out <beir-dir>",
      "BEIR directory to write (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)",
    )
    .option("--split <name>", "name of the qrels split", "test")
    .option("--lenient", "skip malformed lines instead of failing")
    .action(async (dir: string | undefined, flags: ConvertFlags) => {
      const collection = await openGlasgowCollection(await glasgowSpec(dir, flags));
      const counts = await convertToBeir(collection, flags.out, {
        split: flags.split,
        ...(flags.lenient === true ? { lenient: true } : {}),
      });
      process.stdout.write(
        `wrote ${formatInt(counts.documents)} documents, ${formatInt(counts.queries)} queries and ` +
          `${formatInt(counts.judgments)} judgments (${collection.qrelsFormat} relevance, ${collection.queryIds} query ids) ` +
          `-> ${join(flags.out, "qrels", `${flags.split}.tsv`)} and beside it\n`,
      );
      if (counts.skipped > 0)
        process.stdout.write(`warning: skipped ${formatInt(counts.skipped)} malformed lines (--lenient)\n`);
    });
  data
    .command("stats")
    .description("document/query/qrels counts and length statistics of a collection")
    .argument(
      "<dir>",
      "a BEIR directory (corpus.jsonl, queries.jsonl, qrels/) or a Glasgow-format one (see data convert)",
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
