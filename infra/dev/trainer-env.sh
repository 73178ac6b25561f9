#!/usr/bin/env bash
# make trainer-env: the Python virtualenv the trainer engine (services/trainer/engine) runs and is tested in.
# It is the repo's .venv (shared with make py-env: torch, transformers, onnxruntime, sentence-transformers),
# created when missing; pip runs only when services/trainer/engine/requirements.txt or the fixture
# requirements it includes changed since the last install (a stamp in .venv holds their hash).
set -euo pipefail
cd "$(dirname "$0")/../.."
REQ=services/trainer/engine/requirements.txt
hash=$(cat "$REQ" infra/dev/requirements-fixtures.txt | sha256sum | cut -c1-16)
stamp=.venv/.trainer-env-$hash
if [ -f "$stamp" ] && [ -x .venv/bin/python ]; then
  echo "trainer-env: .venv up to date"
  exit 0
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -r "$REQ"
rm -f .venv/.trainer-env-*
touch "$stamp"
echo "trainer-env: .venv ready ($(.venv/bin/python -c 'import torch; print("torch", torch.__version__)'))"
