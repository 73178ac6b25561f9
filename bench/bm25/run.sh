#!/usr/bin/env bash
# Runs bench/bm25 (see bench.ts): builds @ferret/retrieval, bundles the TypeScript bench with esbuild
# (packages stay external, resolved from the workspace), and runs it. Needs OpenSearch running
# (infra/dev/opensearch.sh start). Arguments go to bench.ts: [--scifact DIR] [--opensearch URL] [--reps N]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
npx turbo run build --filter=@ferret/retrieval... --output-logs=errors-only >/dev/null
out="$repo/bench/results/tmp/bm25-bench.mjs"
mkdir -p "$(dirname "$out")"
npx esbuild bench/bm25/bench.ts --bundle --platform=node --format=esm --target=node20 --packages=external \
  --outfile="$out" --log-level=warning
exec node "$out" "$@"
