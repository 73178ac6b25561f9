#!/usr/bin/env node
// SciFact quality figures for the encoder (issue 4/5 acceptance), from ONE cached encode of the corpus per
// variant (an index dir written by `ferret encode index`; vectors.f32 + ids.json + manifest.json):
//   - dense exact nDCG@10 / R@100 on test (fp32, and int8 when --int8-index is given);
//   - HNSW recall@10 against exact over the test queries, for a small grid of M / efConstruction / ef;
//   - hybrid dense + BM25 (embedded, Anserini defaults): α swept on TRAIN queries (min-max, @ferret/fusion
//     sweepAlpha, nDCG@10), then test nDCG@10 at that α.
// Metrics: @ferret/evaluator evaluate() (trec_eval semantics). Needs built dist/ (npx turbo run build).
// Usage: node bench/encode/scifact-quality.mjs --model models/all-minilm-l6-v2 --index IDX [--int8-index IDX8]
//          [--collection /work/shared/data/scifact] [--threads 1] [--no-hnsw (skip the HNSW grid)]
//          [--no-hybrid (skip BM25 and the α sweep)] [--run-out FILE (the exact fp32 test run, TREC)]
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readBeirCorpus, readBeirQrels, readBeirQueries, writeTrecRun } from "@ferret/datasets";
import { HnswIndex, ServedIndex, retrieve } from "@ferret/encoder";
import { evaluate } from "@ferret/evaluator";
import { interpolate, sweepAlpha } from "@ferret/fusion";
import { BiEncoder } from "@ferret/inference";
import { EmbeddedBm25 } from "@ferret/retrieval";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "models/all-minilm-l6-v2" },
    index: { type: "string" },
    "int8-index": { type: "string" },
    collection: { type: "string", default: "/work/shared/data/scifact" },
    threads: { type: "string", default: "1" },
    "no-hnsw": { type: "boolean", default: false },
    "no-hybrid": { type: "boolean", default: false },
    "run-out": { type: "string" },
  },
});
const dir = values.collection;
const threads = Number(values.threads);
const log = (...a) => console.error(...a);

async function queriesOf(split) {
  const qrels = await readBeirQrels(join(dir, "qrels", `${split}.tsv`));
  const queries = [];
  for await (const q of readBeirQueries(join(dir, "queries.jsonl"))) if (qrels.has(q.id)) queries.push(q);
  return { qrels, queries };
}
const ndcg10 = (run, qrels) => evaluate(run, qrels, ["ndcg_cut.10"]).mean["ndcg_cut_10"];
const scores = (run, qrels) => {
  const m = evaluate(run, qrels, ["ndcg_cut.10", "recall.100"]).mean;
  return { ndcg10: +m["ndcg_cut_10"].toFixed(4), recall100: +m["recall_100"].toFixed(4) };
};

const test = await queriesOf("test");
const train = await queriesOf("train");
const out = {
  collection: dir,
  model: values.model,
  testQueries: test.queries.length,
  trainQueries: train.queries.length,
};

const fp32 = await BiEncoder.load(values.model, { variant: "fp32", intraOpNumThreads: threads });
const served = await ServedIndex.open("scifact", values.index, await fp32.fingerprint());
const exact = await served.searcher(true);
const K = 1000;
let t = performance.now();
const denseTest = await retrieve(fp32, exact, test.queries, { k: K, removeQuery: true });
out.denseExactFp32 = {
  ...scores(denseTest, test.qrels),
  searchSeconds: +((performance.now() - t) / 1000).toFixed(2),
};
log("dense exact fp32", out.denseExactFp32);
if (values["run-out"]) await writeTrecRun(values["run-out"], denseTest, { tag: "dense-exact-fp32" });

// HNSW recall@10 vs exact, over the same query vectors
const ids = JSON.parse(await readFile(join(values.index, "ids.json"), "utf8"));
const buf = await readFile(join(values.index, "vectors.f32"));
const vectors = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
const qv = await fp32.embedMatrix(
  test.queries.map((q) => q.text),
  "query",
);
const truth = exact.search(qv, 10).map((hits) => new Set(hits.map((h) => h.id)));
out.hnsw = [];
for (const [M, efC] of values["no-hnsw"]
  ? []
  : [
      [16, 128],
      [32, 200],
    ]) {
  t = performance.now();
  const hnsw = new HnswIndex(fp32.dimension, {
    connectivity: M,
    expansionAdd: efC,
    expansionSearch: 10,
    threads,
  });
  hnsw.add(ids, vectors);
  const buildSeconds = +((performance.now() - t) / 1000).toFixed(2);
  for (const ef of [32, 64, 128, 256]) {
    const probe = new HnswIndex(fp32.dimension, {
      connectivity: M,
      expansionAdd: efC,
      expansionSearch: ef,
      threads,
    });
    // a fresh build per ef (expansion_search is fixed per usearch Index); single-threaded, so the same graph
    probe.add(ids, vectors);
    t = performance.now();
    const got = probe.search(qv, 10);
    const ms = performance.now() - t;
    const recall =
      got.reduce((s, hits, i) => s + hits.filter((h) => truth[i].has(h.id)).length / 10, 0) / got.length;
    out.hnsw.push({
      M,
      efConstruction: efC,
      ef,
      recallAt10: +recall.toFixed(4),
      buildSeconds,
      msPerQuery: +(ms / got.length).toFixed(3),
    });
    log("hnsw", out.hnsw[out.hnsw.length - 1]);
  }
}

// hybrid: BM25 (embedded, Anserini defaults) + dense, α tuned on train
if (!values["no-hybrid"]) {
  t = performance.now();
  const bm25 = await EmbeddedBm25.build(readBeirCorpus(join(dir, "corpus.jsonl")));
  log(`bm25 built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const bm25Test = await bm25.searchBatch(test.queries, { k: K, removeQuery: true });
  const bm25Train = await bm25.searchBatch(train.queries, { k: K, removeQuery: true });
  const denseTrain = await retrieve(fp32, exact, train.queries, { k: K, removeQuery: true });
  out.bm25 = scores(bm25Test, test.qrels);
  const sweep = sweepAlpha(denseTrain, bm25Train, train.qrels, ndcg10, {
    normalization: "min-max",
    step: 0.05,
  });
  const hybridTest = interpolate(denseTest, bm25Test, sweep.alpha, { normalization: "min-max", topK: K });
  out.hybrid = {
    normalization: "min-max",
    alphaOnDense: sweep.alpha,
    trainNdcg10AtAlpha: +sweep.score.toFixed(4),
    trainCurve: sweep.curve.map((p) => [p.alpha, +p.score.toFixed(4)]),
    test: scores(hybridTest, test.qrels),
    testAtHalf: scores(
      interpolate(denseTest, bm25Test, 0.5, { normalization: "min-max", topK: K }),
      test.qrels,
    ),
  };
  log("hybrid", out.hybrid.alphaOnDense, out.hybrid.test);
  await bm25.close();
}

if (values["int8-index"]) {
  const int8 = await BiEncoder.load(values.model, { variant: "quantized", intraOpNumThreads: threads });
  const idx8 = await (
    await ServedIndex.open("scifact-int8", values["int8-index"], await int8.fingerprint())
  ).searcher(true);
  out.denseExactInt8 = scores(
    await retrieve(int8, idx8, test.queries, { k: K, removeQuery: true }),
    test.qrels,
  );
  log("dense exact int8", out.denseExactInt8);
  await int8.close();
}
await fp32.close();
console.log(JSON.stringify(out, null, 2));
