#!/usr/bin/env bash
# Runs bench/bm25 (see bench.ts; BM25_BENCH=scale runs scale.ts, as scale.sh does): builds @ferret/retrieval,
# bundles the TypeScript bench with esbuild (packages stay external, resolved from the workspace), and runs
# it. Needs OpenSearch running (infra/dev/opensearch.sh start). Arguments go to the bench: bench.ts takes
# [--scifact DIR] [--opensearch URL] [--reps N]; scale.ts also [--sizes 100000,300000,1000000] [--queries N].
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
entry="${BM25_BENCH:-bench}"
npx turbo run build --filter=@ferret/retrieval... --output-logs=errors-only >/dev/null
out="$repo/bench/results/tmp/bm25-$entry.mjs"
mkdir -p "$(dirname "$out")"
npx esbuild "bench/bm25/$entry.ts" --bundle --platform=node --format=esm --target=node20 --packages=external \
  --outfile="$out" --log-level=warning
exec node "$out" "$@"
