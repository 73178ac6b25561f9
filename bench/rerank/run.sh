#!/usr/bin/env bash
# Runs bench/rerank (see bench.ts): builds @ferret/ranker, makes the SciFact BM25 top-100 run with the embedded
# index if it is not there, bundles bench.ts with esbuild (packages external) and runs it. Needs the model dir
# from make-bench-model.py (default models/bench-minilm-l6-ce) and the fixture venv (.venv) for the
# sentence-transformers side. Arguments go to bench.ts: [--queries N] [--depth K] [--batch B] [--threads T]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
npx turbo run build --filter=@ferret/ranker... --filter=@ferret/cli... --output-logs=errors-only >/dev/null
tmp="$repo/bench/results/tmp"
mkdir -p "$tmp"
scifact="$repo/../shared/data/scifact"
if [ ! -s "$tmp/scifact-bm25-top100.trec" ]; then
  npx ferret bm25 index "$scifact" --out "$tmp/scifact.bm25" --no-progress
  npx ferret bm25 search "$tmp/scifact.bm25" --queries "$scifact" --split test -k 100 --remove-query \
    --out "$tmp/scifact-bm25-top100.trec" --no-progress
fi
npx esbuild bench/rerank/bench.ts --bundle --platform=node --format=esm --target=node20 --packages=external \
  --outfile="$tmp/rerank-bench.mjs" --log-level=warning
exec node "$tmp/rerank-bench.mjs" "$@"
