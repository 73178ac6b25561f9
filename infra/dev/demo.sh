#!/usr/bin/env bash
# make demo: the main job on the bundled mini collection (examples/mini), step by step.
# Add a step by appending a `step "<what it shows>" <command...>` line; the demo stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${FERRET_DEMO_DATA:-examples/mini}

step() {
  local what=$1
  shift
  echo
  echo "== $what"
  echo "\$ $*"
  "$@"
}

step "dataset statistics" npx ferret data stats "$DATA"

# A BM25 baseline on the test queries, evaluated with trec_eval's measures. Outputs go to .cache/demo (git-ignored).
OUT=${FERRET_DEMO_OUT:-.cache/demo}
mkdir -p "$OUT"
step "BM25 index (embedded, Anserini-exact)" npx ferret bm25 index "$DATA" --out "$OUT/bm25.index" --no-progress
step "BM25 run on the test queries" \
  npx ferret bm25 search "$OUT/bm25.index" --queries "$DATA" --split test --out "$OUT/bm25.trec" --no-progress
step "evaluation (trec_eval measures)" \
  npx ferret eval --qrels "$DATA/qrels/test.tsv" "$OUT/bm25.trec" -m ndcg_cut.10 -m map -m recip_rank -m P.10 -m recall.100
