/**
 * bench/rerank: reranking SciFact BM25 top-k with a MiniLM-L6 cross-encoder, Ferret (ONNX Runtime, fp32 and
 * int8) vs sentence-transformers' CrossEncoder (PyTorch), side by side on this machine's CPU.
 *
 *   bench/rerank/run.sh [--queries N] [--depth K] [--batch B] [--threads T]
 *
 * Both score the same pairs (query, BEIR passage text) with the same max length (the model's ferret.json) and
 * batch size, after one warm-up batch each. Reports pairs/s, the largest score difference between Ferret
 * fp32 and sentence-transformers, and nDCG@10 of every reranked run over the same queries (with the
 * stand-in model of make-bench-model.py, nDCG@10 shows agreement between the two, not reranking quality).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { readBeirQrels, readTrecRun, type Run } from "@ferret/datasets";
import { evaluate } from "@ferret/evaluator";
import { CrossEncoderScorer, loadBeirTexts, rerankCandidates, rerankRun } from "@ferret/ranker";

interface Args {
  run: string;
  scifact: string;
  model: string;
  queries: number;
  depth: number;
  batch: number;
  threads: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    run: "bench/results/tmp/scifact-bm25-top100.trec",
    scifact: resolve(process.cwd(), "../shared/data/scifact"),
    model: "models/bench-minilm-l6-ce",
    queries: 20,
    depth: 100,
    batch: 32,
    threads: 2,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i]!, argv[i + 1]!];
    if (flag === "--run") args.run = value;
    else if (flag === "--scifact") args.scifact = value;
    else if (flag === "--model") args.model = value;
    else if (flag === "--queries") args.queries = Number(value);
    else if (flag === "--depth") args.depth = Number(value);
    else if (flag === "--batch") args.batch = Number(value);
    else if (flag === "--threads") args.threads = Number(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  return args;
}

function rerankedFromScores(
  owners: readonly { qid: string; docid: string }[],
  scores: readonly number[],
): Run {
  const run: Run = new Map();
  owners.forEach(({ qid, docid }, i) => {
    let docs = run.get(qid);
    if (docs === undefined) run.set(qid, (docs = new Map()));
    docs.set(docid, scores[i]!);
  });
  return run;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const tmp = resolve("bench/results/tmp");
  mkdirSync(tmp, { recursive: true });
  const full = (await readTrecRun(args.run)).run;
  const qids = [...full.keys()].slice(0, args.queries);
  const run: Run = new Map(qids.map((q) => [q, full.get(q)!]));
  const candidates = rerankCandidates(run, args.depth);
  const docIds = new Set([...candidates.values()].flat());
  const texts = await loadBeirTexts(args.scifact, docIds);
  const owners: { qid: string; docid: string }[] = [];
  const pairs: [string, string, string, string][] = [];
  for (const [qid, docids] of candidates) {
    for (const docid of docids) {
      owners.push({ qid, docid });
      pairs.push([qid, docid, texts.query(qid)!, texts.passage(docid)!]);
    }
  }
  const pairsFile = join(tmp, "rerank-pairs.json");
  writeFileSync(pairsFile, JSON.stringify(pairs));
  const maxLength = (
    JSON.parse(readFileSync(join(args.model, "ferret.json"), "utf8")) as { maxLength: number }
  ).maxLength;

  const ferret: Record<string, { seconds: number; scores: number[]; run: Run }> = {};
  for (const variant of ["fp32", "quantized"] as const) {
    const scorer = await CrossEncoderScorer.load(args.model, {
      variant,
      intraOpNumThreads: args.threads,
      maxBatchSize: args.batch,
      maxBatchTokens: args.batch * maxLength,
    });
    await scorer.score(pairs.slice(0, args.batch).map((p) => [p[2], p[3]] as const)); // warm-up
    const started = performance.now();
    const result = await rerankRun(run, texts, scorer, { depth: args.depth });
    const seconds = (performance.now() - started) / 1000;
    const scores = owners.map(({ qid, docid }) => result.run.get(qid)!.get(docid)!);
    ferret[variant] = { seconds, scores, run: result.run };
    await scorer.close();
  }

  const stOut = join(tmp, "rerank-st.json");
  execFileSync(
    ".venv/bin/python",
    [
      "bench/rerank/st_rerank.py",
      "--model",
      join(args.model, "hf"),
      "--pairs",
      pairsFile,
      "--out",
      stOut,
      "--max-length",
      String(maxLength),
      "--batch-size",
      String(args.batch),
      "--threads",
      String(args.threads),
    ],
    { stdio: "inherit" },
  );
  const st = JSON.parse(readFileSync(stOut, "utf8")) as {
    seconds: number;
    scores: number[];
    versions: object;
  };
  const stRun = rerankedFromScores(owners, st.scores);

  const maxDiff = (a: number[]) => Math.max(...a.map((s, i) => Math.abs(s - st.scores[i]!)));
  const qrels = await readBeirQrels(join(args.scifact, "qrels", "test.tsv"));
  const ndcg = (r: Run) => evaluate(r, qrels, ["ndcg_cut.10"]).mean["ndcg_cut_10"]!;
  const bm25Top = new Map(
    [...candidates].map(([q, ids]) => [q, new Map(ids.map((d) => [d, run.get(q)!.get(d)!]))]),
  );
  const n = pairs.length;
  const rows = [
    ["BM25 (first stage)", "—", "—", ndcg(bm25Top).toFixed(4), "—"],
    [
      "sentence-transformers CrossEncoder (PyTorch fp32)",
      st.seconds.toFixed(1),
      (n / st.seconds).toFixed(0),
      ndcg(stRun).toFixed(4),
      "0",
    ],
    [
      "Ferret (ONNX Runtime fp32)",
      ferret["fp32"]!.seconds.toFixed(1),
      (n / ferret["fp32"]!.seconds).toFixed(0),
      ndcg(ferret["fp32"]!.run).toFixed(4),
      maxDiff(ferret["fp32"]!.scores).toExponential(2),
    ],
    [
      "Ferret (ONNX Runtime int8, per-channel)",
      ferret["quantized"]!.seconds.toFixed(1),
      (n / ferret["quantized"]!.seconds).toFixed(0),
      ndcg(ferret["quantized"]!.run).toFixed(4),
      maxDiff(ferret["quantized"]!.scores).toExponential(2),
    ],
  ];
  const header = ["system", "seconds", "pairs/s", "nDCG@10", "max |score − ST|"];
  const table = [header, header.map(() => "---"), ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
  process.stdout.write(
    `${qids.length} SciFact test queries x BM25 top ${args.depth} = ${n} pairs; max length ${maxLength}, batch ${args.batch}, ` +
      `${args.threads} threads; CPU ${cpus()[0]?.model ?? "?"} (${cpus().length} cores); ${JSON.stringify(st.versions)}\n\n${table}\n`,
  );
}

await main();
