#!/usr/bin/env bash
# The trainer engine's pytest suite (make test runs it after the vitest suites): the venv first
# (trainer-env.sh, cached), then pytest; with FERRET_TEST_REPORT_DIR set the suite writes a report that
# test-summary.mjs counts (services/trainer/engine/conftest.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
infra/dev/trainer-env.sh
cd services/trainer/engine
exec ../../../.venv/bin/python -m pytest -q -p no:warnings "$@"
