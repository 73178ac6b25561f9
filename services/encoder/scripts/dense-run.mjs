#!/usr/bin/env node
// Dense retrieval over a BEIR collection with a Ferret model dir, written as a TREC run.
// Usage: node services/encoder/scripts/dense-run.mjs --model models/all-minilm-l6-v2 \
//   --collection /work/shared/data/scifact --split test --out /tmp/scifact-minilm.run [--variant quantized] [--k 1000]
// Queries are those of the split's qrels; a document whose id equals the query id is dropped (as BEIR's
// EvaluateRetrieval does with ignore_identical_ids). Needs built dist/ (npx turbo run build --filter=@ferret/encoder...).
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readBeirCorpus, readBeirQrels, readBeirQueries, writeTrecRun } from "@ferret/datasets";
import { ExactIndex, denseSearch, indexDocuments } from "@ferret/encoder";
import { BiEncoder } from "@ferret/inference";

const { values } = parseArgs({
  options: {
    model: { type: "string" },
    collection: { type: "string" },
    split: { type: "string", default: "test" },
    out: { type: "string" },
    variant: { type: "string", default: "fp32" },
    k: { type: "string", default: "1000" },
    threads: { type: "string", default: "0" },
  },
});
if (!values.model || !values.collection || !values.out) {
  console.error(
    "usage: dense-run.mjs --model DIR --collection BEIR_DIR --out RUN [--split test] [--variant fp32|quantized]",
  );
  process.exit(2);
}
const k = Number(values.k);
const t0 = performance.now();
const encoder = await BiEncoder.load(values.model, {
  variant: values.variant,
  intraOpNumThreads: Number(values.threads),
});
const index = new ExactIndex(encoder.dimension);
const n = await indexDocuments(encoder, index, readBeirCorpus(join(values.collection, "corpus.jsonl")), {
  onProgress: (done) => process.stderr.write(`\rindexed ${done}`),
});
const t1 = performance.now();
process.stderr.write(`\nindexed ${n} documents in ${((t1 - t0) / 1000).toFixed(1)} s\n`);
const qrels = await readBeirQrels(join(values.collection, "qrels", `${values.split}.tsv`));
const queries = [];
for await (const q of readBeirQueries(join(values.collection, "queries.jsonl")))
  if (qrels.has(q.id)) queries.push(q);
const run = await denseSearch(encoder, index, queries, k + 1);
for (const [qid, docs] of run) {
  docs.delete(qid);
  if (docs.size > k) {
    const worst = [...docs.entries()].sort((a, b) => a[1] - b[1])[0];
    docs.delete(worst[0]);
  }
}
await writeTrecRun(values.out, run, { tag: `ferret-dense-${values.variant}` });
process.stderr.write(
  `searched ${queries.length} queries in ${((performance.now() - t1) / 1000).toFixed(1)} s -> ${values.out}\n`,
);
await encoder.close();
