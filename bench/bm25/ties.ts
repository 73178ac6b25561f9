/**
 * bench/bm25 ties: what Anserini's tie rule changes, per collection (BM25 flat, k1 = 0.9, b = 0.4, 1,000
 * hits, embedded engine), measured with the evaluator (trec_eval 10.0 semantics):
 *
 *   BM25_BENCH=ties bench/bm25/run.sh [--scifact DIR] [--cranfield DIR]
 *
 * "lucene" is Ferret's previous behaviour: Lucene's top k (ties at the cut by index order) at full float
 * precision, so trec_eval orders equal scores by document id descending. "anserini" is SearchCollection's:
 * ties by document id ascending, also at the cut, scores rounded to 4 decimals minus 1e-6 per tie.
 */
import { join, resolve } from "node:path";
import {
  loadGlasgowDir,
  openGlasgowCollection,
  readBeirCorpus,
  readBeirQrels,
  readBeirQueries,
  rankByTrecOrder,
  type DocumentRecord,
  type Qrels,
  type Run,
} from "@ferret/datasets";
import { evaluate } from "@ferret/evaluator";
import { EmbeddedBm25, type LexicalQuery, type TieRule } from "@ferret/retrieval";

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : fallback;
};
const SCIFACT = flag("--scifact", resolve(process.cwd(), "../shared/data/scifact"));
const CRANFIELD = flag("--cranfield", resolve(process.cwd(), "../shared/data/cranfield"));
const MEASURES = ["ndcg_cut.10", "recall.100", "recall.1000", "map"];

interface Collection {
  name: string;
  docs: DocumentRecord[];
  queries: LexicalQuery[];
  qrels: Qrels;
  removeQuery: boolean;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function sciFact(): Promise<Collection> {
  const qrels = await readBeirQrels(join(SCIFACT, "qrels", "test.tsv"));
  const queries = (await collect(readBeirQueries(join(SCIFACT, "queries.jsonl")))).filter((q) =>
    qrels.has(q.id),
  );
  return {
    name: "SciFact test (-removeQuery)",
    docs: await collect(readBeirCorpus(join(SCIFACT, "corpus.jsonl"))),
    queries,
    qrels,
    removeQuery: true,
  };
}

async function cranfield(): Promise<Collection> {
  const c = await openGlasgowCollection(await loadGlasgowDir(CRANFIELD));
  return {
    name: "Cranfield (graded)",
    docs: await collect(c.documents()),
    queries: await collect(c.queries()),
    qrels: (await c.qrels()).qrels,
    removeQuery: false,
  };
}

/** Adjacent equal scores within each query's first `depth` hits (Lucene's raw scores). */
function tiedPairs(run: Run, depth: number): number {
  let n = 0;
  for (const docs of run.values()) {
    const ranked = rankByTrecOrder(docs, depth);
    for (let i = 1; i < ranked.length; i++) if (ranked[i]?.[1] === ranked[i - 1]?.[1]) n++;
  }
  return n;
}

for (const load of [sciFact, cranfield]) {
  const c = await load();
  const backend = await EmbeddedBm25.build(c.docs);
  const runs = new Map<TieRule, Run>();
  for (const ties of ["lucene", "anserini"] as const)
    runs.set(
      ties,
      await backend.searchBatch(c.queries, { k: 1000, ties, removeQuery: c.removeQuery, threads: 1 }),
    );
  await backend.close();
  const evals = new Map([...runs].map(([t, run]) => [t, evaluate(run, c.qrels, MEASURES)]));
  const lucene = runs.get("lucene") as Run;
  const anserini = runs.get("anserini") as Run;
  let differentTop10 = 0;
  for (const [q, docs] of lucene) {
    const a = rankByTrecOrder(docs, 10)
      .map(([d]) => d)
      .join(" ");
    const b = rankByTrecOrder(anserini.get(q) ?? new Map(), 10)
      .map(([d]) => d)
      .join(" ");
    if (a !== b) differentTop10++;
  }
  const per = [...(evals.get("lucene")?.perQuery ?? [])].map(([q, m]) => {
    const other = evals.get("anserini")?.perQuery.get(q)?.["ndcg_cut_10"] ?? 0;
    return [q, other - (m["ndcg_cut_10"] ?? 0)] as const;
  });
  const changed = per.filter(([, d]) => Math.abs(d) > 1e-12);
  const largest = changed.reduce((best, x) => (Math.abs(x[1]) > Math.abs(best[1]) ? x : best), [
    "-",
    0,
  ] as const);
  process.stdout.write(
    `\n${c.name}: ${c.docs.length.toLocaleString("en-US")} documents, ${c.queries.length} queries; ` +
      `tied adjacent pairs in Lucene's top 10: ${tiedPairs(lucene, 10)}, top 1000: ${tiedPairs(lucene, 1000)}\n`,
  );
  process.stdout.write(
    `| ties | ${MEASURES.join(" | ")} |\n| --- |${MEASURES.map(() => " --- |").join("")}\n`,
  );
  for (const [t, e] of evals)
    process.stdout.write(
      `| ${t} | ${MEASURES.map((m) => (e.mean[m.replace(".", "_")] ?? NaN).toFixed(6)).join(" | ")} |\n`,
    );
  process.stdout.write(
    `queries whose top 10 differs: ${differentTop10}; whose nDCG@10 changes: ${changed.length}; ` +
      `largest change: query ${largest[0]} ${largest[1] >= 0 ? "+" : ""}${largest[1].toFixed(4)}\n`,
  );
}
