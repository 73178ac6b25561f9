#!/usr/bin/env bash
# bench/bm25 scale (scale.ts): embedded vs OpenSearch on 100k, 300k and 1M synthetic passages by default.
# Runs at the lowest CPU priority: the machine is shared.
BM25_BENCH=scale exec nice -n 19 "$(dirname "$0")/run.sh" "$@"
