#!/usr/bin/env node
// Server-side candidate pooling (what SubmitJob does for a `pools` request) over a BEIR collection: once
// without the corpus cache, then a cache miss and a cache hit. Needs built dist/ (npx turbo run build
// --filter=@ferret/annotator...).
// Usage: node bench/annotate/pools-cache.mjs [--root /work/shared/data] [--collection scifact] [--split test]
//          [--depth 20]
import { parseArgs } from "node:util";
import { CorpusIndexCache, serverPools } from "@ferret/annotator";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: "/work/shared/data" },
    collection: { type: "string", default: "scifact" },
    split: { type: "string", default: "test" },
    depth: { type: "string", default: "20" },
  },
});
const spec = {
  beirDir: values.collection,
  documents: [],
  queries: [],
  qrels: undefined,
  split: values.split,
  depth: Number(values.depth),
  opensearchIndex: "",
  denseIndex: "",
  noHumanPositives: false,
};
const cache = new CorpusIndexCache(1);
try {
  for (const [label, options] of [
    ["no cache", {}],
    ["cache miss", { corpusCache: cache }],
    ["cache hit", { corpusCache: cache }],
  ]) {
    const started = performance.now();
    const pooled = await serverPools(spec, { corporaRoot: values.root, ...options });
    const passages = pooled.reduce((n, p) => n + p.passages.length, 0);
    console.log(
      `${label}: ${((performance.now() - started) / 1000).toFixed(2)} s (${pooled.length} queries, ${passages} passages)`,
    );
  }
} finally {
  await cache.close();
}
