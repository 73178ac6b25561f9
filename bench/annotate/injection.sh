#!/usr/bin/env bash
# Measures the prompt-injection flip rate (see injection.ts). Needs services/annotator/scripts/fetch-smollm2.sh.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
npx turbo run build --filter=@ferret/annotator... --output-logs=errors-only >/dev/null
out="$repo/bench/results/tmp/annotate-injection.mjs"
mkdir -p "$(dirname "$out")"
npx esbuild bench/annotate/injection.ts --bundle --platform=node --format=esm --target=node20 --packages=external \
  --outfile="$out" --log-level=warning
exec env NODE_LLAMA_CPP_SKIP_DOWNLOAD=true node "$out" "$@"
