#!/usr/bin/env bash
# Ferret's engine vs sentence-transformers' trainer on one GPU (bench/train/README.md): samples/s and peak GPU
# memory, side by side, same model, loss, batch size, max length and data. From a clean checkout on a GPU machine
# (network needed for the setup only); the timed part takes a few minutes on a recent GPU:
#
#   bench/train/gpu.sh                                  # CUDA, 200 steps, fp32 and bf16
#   bench/train/gpu.sh --device cpu --steps 5           # smoke test without a GPU
#
# Options (the rest go to gpu_compare.py run): --model DIR (a Ferret model dir with model.safetensors; default
# `make models`' all-MiniLM-L6-v2), --data DIR (SciFact in BEIR layout; default ../shared/data/scifact),
# --out DIR (default bench/results/tmp/train-gpu/<UTC time>), --device cuda|cpu, --steps N, --precision LIST.
#
# Setup: `make trainer-env` (.venv: torch (pip's default Linux wheel is the CUDA build), transformers,
# sentence-transformers), then an overlay venv in .cache/bench-train-gpu that sees .venv's packages and adds
# datasets and accelerate (bench/train/gpu-requirements.txt: SentenceTransformerTrainer needs them), then the
# training set (gpu_compare.py prepare: SciFact train, one BM25 negative per pair), cached beside the venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
model="" data="../shared/data/scifact" out="" device=cuda steps=200 precision="" rest=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --precision) precision=$2; shift 2 ;;
    *) rest+=("$1"); shift ;;
  esac
done
[ -n "$precision" ] || { [ "$device" = cuda ] && precision=fp32,bf16 || precision=fp32; }
out=${out:-bench/results/tmp/train-gpu/$(date -u +%Y%m%dT%H%M%SZ)}
log() { echo "[$(date -u +%H:%M:%S)] gpu.sh: $*" >&2; }

make --no-print-directory trainer-env
overlay=.cache/bench-train-gpu/venv
req=bench/train/gpu-requirements.txt
stamp=$overlay/.req-$(sha256sum "$req" | cut -c1-16)
if [ ! -f "$stamp" ]; then
  log "overlay venv $overlay (datasets, accelerate)"
  rm -rf "$overlay"
  .venv/bin/python -m venv "$overlay"
  site=$("$overlay/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  # .venv's packages, after the overlay's own: pip sees them as installed and adds only what is missing
  .venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > "$site/ferret-venv.pth"
  "$overlay/bin/pip" install -q --disable-pip-version-check -r "$req"
  touch "$stamp"
fi
PY=$overlay/bin/python

if [ -z "$model" ]; then
  make --no-print-directory models
  model=models/all-minilm-l6-v2
fi
[ -f "$model/model.safetensors" ] || { echo "gpu.sh: $model has no model.safetensors (the engine trains from it)" >&2; exit 2; }

train=.cache/bench-train-gpu/scifact-train-bm25.jsonl
if [ ! -s "$train" ]; then
  log "training set $train from $data"
  "$PY" bench/train/gpu_compare.py prepare --data "$data" --out "$train.tmp"
  mv "$train.tmp" "$train"
fi

log "uptime: $(uptime)"
"$PY" bench/train/gpu_compare.py run --train "$train" --model "$model" --out "$out" --device "$device" \
  --steps "$steps" --precision "$precision" "${rest[@]}"
log "uptime: $(uptime)"
log "wrote $out/table.md and $out/results.json"
