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
