#!/usr/bin/env bash
# The noisy-labels comparison (issue 12; research-methods §1–2 claim Disj-InfoNCE and MW are robust to noisy
# positives): SciFact train's human qrels plus 2 random non-relevant documents of the embedded BM25's top 20 per
# query as false positives (bench/train/noisy-labels.py, seed 13), assembled once by @ferret/trainer
# (bench/train/scifact-noisy.yaml), then one bench/train/scifact.sh run per loss and seed on that same file:
# InfoNCE, Disj-InfoNCE and MW (each at its documented default temperature), seeds outer, so every loss has a
# seed before any has two. The references: the same three losses on the human qrels alone
# (scifact-noisy-clean.yaml, CLEAN_SEEDS), and base MiniLM encoding at the same max length 64. A run whose
# summary.json exists is skipped (resumable). Ends with
# bench/train/noisy-summary.mjs: mean ± sd of test nDCG@10 (and global AUC@500) per loss, and paired t-tests
# per pair of losses on per-query nDCG@10.
#
# Usage: bench/train/noisy.sh   [env: SEEDS="13 14 15", LOSSES="infonce disj-infonce mw", CLEAN_SEEDS="13",
#        LOCK=<file: each heavy step runs under flock on it>, COLLECTION=../shared/data/scifact, PY, THREADS]
# Writes bench/results/tmp/train/noisy-* (git-ignored); the summary to noisy-summary.{json,md}.
set -euo pipefail
cd "$(dirname "$0")/../.."
SEEDS=${SEEDS:-13 14 15}
LOSSES=${LOSSES:-infonce disj-infonce mw}
COLLECTION=${COLLECTION:-../shared/data/scifact}
PY=${PY:-.venv/bin/python}
tmp=bench/results/tmp
out=$tmp/train
mkdir -p "$out"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
locked() { if [ -n "${LOCK:-}" ]; then flock "$LOCK" "$@"; else "$@"; fi; }

if [ ! -s "$out/noisy-labels.jsonl" ]; then
  [ -s "$tmp/scifact.bm25" ] ||
    node apps/cli/dist/main.js bm25 index "$COLLECTION" --out "$tmp/scifact.bm25" --no-progress
  node apps/cli/dist/main.js bm25 search "$tmp/scifact.bm25" --queries "$COLLECTION" --split train -k 20 \
    --remove-query --out "$out/scifact-bm25-train-top20.trec" --no-progress
  "$PY" bench/train/noisy-labels.py --run "$out/scifact-bm25-train-top20.trec" \
    --qrels "$COLLECTION/qrels/train.tsv" --per-query 2 --depth 20 --seed 13 >"$out/noisy-labels.jsonl.tmp"
  mv "$out/noisy-labels.jsonl.tmp" "$out/noisy-labels.jsonl"
fi
set_dir=$out/noisy-set
if [ ! -f "$set_dir/manifest.json" ]; then
  log "assemble bench/train/scifact-noisy.yaml"
  node bench/train/assemble.mjs bench/train/scifact-noisy.yaml --out "$set_dir" >"$out/noisy-set.stats.json"
fi

runs=()
for seed in $SEEDS; do
  for loss in $LOSSES; do
    name=noisy-$loss-s$seed
    runs+=("$loss:$seed:$out/$name")
    [ -f "$out/$name/summary.json" ] && continue
    log "run $name"
    PAIRS_FILE=$set_dir/training-set.jsonl LOSS="\"$loss\"" HP="{\"seed\": $seed}" \
      QUALITY_ARGS=--no-hybrid locked bench/train/scifact.sh "$name" bench/train/scifact-noisy.yaml \
      >"$out/$name.log" 2>&1 || log "run $name failed: see $out/$name.log"
  done
done
# The references: clean labels (same losses, settings and seeds) and the untrained model at max length 64.
clean_dir=$out/noisy-clean-set
if [ -n "${CLEAN_SEEDS-13}" ] && [ ! -f "$clean_dir/manifest.json" ]; then
  log "assemble bench/train/scifact-noisy-clean.yaml"
  node bench/train/assemble.mjs bench/train/scifact-noisy-clean.yaml --out "$clean_dir" >"$out/noisy-clean-set.stats.json"
fi
for seed in ${CLEAN_SEEDS-13}; do
  for loss in $LOSSES; do
    name=noisy-clean-$loss-s$seed
    runs+=("clean-$loss:$seed:$out/$name")
    [ -f "$out/$name/summary.json" ] && continue
    log "run $name"
    PAIRS_FILE=$clean_dir/training-set.jsonl LOSS="\"$loss\"" HP="{\"seed\": $seed}" \
      QUALITY_ARGS=--no-hybrid locked bench/train/scifact.sh "$name" bench/train/scifact-noisy-clean.yaml \
      >"$out/$name.log" 2>&1 || log "run $name failed: see $out/$name.log"
  done
done
base=$out/noisy-base-len64
if [ ! -f "$base/summary.json" ]; then
  mkdir -p "$base" && rm -rf "$base/model" && cp -r models/all-minilm-l6-v2 "$base/model"
  "$PY" -c 'import json, sys; p = sys.argv[1]; d = json.load(open(p)); d["maxLength"] = 64; json.dump(d, open(p, "w"), indent=2)' \
    "$base/model/ferret.json"
  log "run noisy-base-len64"
  MODEL=$base/model QUALITY_ARGS=--no-hybrid locked bench/train/scifact.sh noisy-base-len64 \
    >"$out/noisy-base-len64.log" 2>&1 || log "run noisy-base-len64 failed: see $out/noisy-base-len64.log"
fi
runs+=("base:0:$base")
node bench/train/noisy-summary.mjs --qrels "$COLLECTION/qrels/test.tsv" --json "$out/noisy-summary.json" \
  "${runs[@]}" | tee "$out/noisy-summary.md"
