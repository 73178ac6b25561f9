#!/usr/bin/env bash
# Runs bench/annotate (see bench.ts): builds @ferret/annotator, bundles the bench and its test-double LLM
# server with esbuild (packages external, resolved from the workspace) and runs it. Arguments go to
# bench.ts. The server is forked into its own process by the bench.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
npx turbo run build --filter=@ferret/annotator... --output-logs=errors-only >/dev/null
outdir="$repo/bench/results/tmp"
mkdir -p "$outdir"
npx esbuild bench/annotate/bench.ts --bundle --platform=node --format=esm --target=node20 --packages=external \
  --outfile="$outdir/annotate-bench.mjs" --log-level=warning
npx esbuild bench/annotate/test-double-llm-server.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$outdir/annotate-llm-server.mjs" --log-level=warning
npx esbuild bench/annotate/worker-replica.ts --bundle --platform=node --format=esm --target=node20 --packages=external \
  --outfile="$outdir/annotate-worker-replica.mjs" --log-level=warning
exec node "$outdir/annotate-bench.mjs" "$@"
