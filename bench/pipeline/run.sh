#!/usr/bin/env bash
# bench/pipeline (issue 13): one pipeline spec run end to end in embedded mode (`ferret run`), timed.
# Writes bench/results/tmp/pipeline/<name>/ (git-ignored): run.log, run.time (/usr/bin/time -v: wall, CPU
# seconds, max RSS), uptime before and after, machine.txt, and summary.md: the wall time of each stage (from
# the stage records the run writes, stages/<stage>/stage.json) and the report's metric table (report.json).
# A rerun of a finished run skips every stage; delete the spec's output directory to measure again.
# Usage: bench/pipeline/run.sh [spec.yaml]   (default bench/pipeline/scifact.yaml)
# Needs: make models, make trainer-env, a built checkout (make build).
set -euo pipefail
cd "$(dirname "$0")/../.."
spec=${1:-bench/pipeline/scifact.yaml}
name=$(basename "$spec" .yaml)
out=bench/results/tmp/pipeline/$name-meta
mkdir -p "$out"
{
  lscpu | grep -E 'Model name'
  echo "vector extensions: $(grep -o -w -E 'avx512f|avx512_vnni|avx_vnni|amx_bf16|amx_tile|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "cores: $(nproc), memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
} >"$out/machine.txt"
uptime >"$out/uptime.txt"
rc=0
/usr/bin/time -v -o "$out/run.time" node apps/cli/dist/main.js run "$spec" --no-progress >"$out/run.log" 2>&1 || rc=$?
uptime >>"$out/uptime.txt"
node bench/pipeline/summary.mjs "$spec" "$out/run.time" >"$out/summary.md"
cat "$out/summary.md"
exit $rc
