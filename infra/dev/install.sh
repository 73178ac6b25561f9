#!/usr/bin/env bash
# npm dependencies for the whole monorepo, installed only when needed (make install):
# when node_modules is missing, or package-lock.json changed since the last install. The stamp holds
# the lockfile's sha256; an `npm install` run since the lockfile last changed (npm's own
# node_modules/.package-lock.json is newer) also counts, so a dev tree is not wiped by npm ci for nothing.
# ONNXRUNTIME_NODE_INSTALL=skip: onnxruntime-node's install script would otherwise fetch CUDA binaries.
set -euo pipefail
cd "$(dirname "$0")/../.."
STAMP=node_modules/.ferret-install.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then exit 0; fi
if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "$want" >"$STAMP"
  exit 0
fi
echo "install: npm ci (node_modules missing or package-lock.json changed)"
t0=$SECONDS
# The lock keeps this from racing another npm command in the same tree.
flock /tmp/ferret-npm.lock env ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
echo "$want" >"$STAMP"
echo "install: done in $((SECONDS - t0)) s"
