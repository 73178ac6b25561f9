#!/usr/bin/env bash
# Runs bench/annotate (see bench.ts): builds @ferret/annotator, bundles the bench with esbuild (packages
# external, resolved from the workspace) and runs it. Arguments go to bench.ts.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
npx turbo run build --filter=@ferret/annotator... --output-logs=errors-only >/dev/null
out="$repo/bench/results/tmp/annotate-bench.mjs"
mkdir -p "$(dirname "$out")"
npx esbuild bench/annotate/bench.ts --bundle --platform=node --format=esm --target=node20 --packages=external \
  --outfile="$out" --log-level=warning
exec node "$out" "$@"
